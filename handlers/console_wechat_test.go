package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestAUnitAccountBindsItsWeChatFromItsPage walks the console's 我的微信
// page of a unit account: not bound, a code issued (shown once, audited
// without the code), the code spent in the chat's binding, bound, an
// unbind refused until confirmed, then done and audited.
func TestAUnitAccountBindsItsWeChatFromItsPage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		c := w.login(t, model.RoleUnit)
		unit := w.accounts[model.RoleUnit]
		if res := w.get(t, c, "/admin/wechat"); res.status != http.StatusOK || !strings.Contains(res.body, "尚未绑定微信") {
			t.Fatalf("page: %d %s", res.status, res.body)
		}
		res := w.postForm(t, c, "/admin/wechat/bind-code", url.Values{})
		code := regexp.MustCompile(`<p class="secret">(\d{6})</p>`).FindStringSubmatch(res.body)
		if res.status != http.StatusOK || code == nil {
			t.Fatalf("bind code: %d %s", res.status, res.body)
		}
		if got := w.auditSummaries(t, "staff.bind_code"); len(got) != 1 || strings.Contains(got[0], code[1]) {
			t.Fatalf("audit %q", got)
		}
		name := unit.Unit
		if name == "" {
			name = unit.DisplayName()
		}
		r, err := w.svc.Binding.Attempt(context.Background(), core.PublicActor("o-unit-staff", core.ViaWeChat), name, code[1])
		if err != nil || r.Outcome != core.BindStaff {
			t.Fatalf("bind %+v %v", r, err)
		}
		if res := w.get(t, c, "/admin/wechat"); !strings.Contains(res.body, "已绑定微信") {
			t.Fatalf("bound page: %s", res.body)
		}
		if res := w.postForm(t, c, "/admin/wechat/unbind", url.Values{}); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, "请勾选确认") {
			t.Fatalf("unconfirmed unbind: %d", res.status)
		}
		if res := w.postForm(t, c, "/admin/wechat/unbind", url.Values{"confirm": {"1"}}); res.status != http.StatusSeeOther {
			t.Fatalf("unbind: %d %s", res.status, res.body)
		}
		if res := w.get(t, c, "/admin/wechat"); !strings.Contains(res.body, "已解除本账号的微信绑定") || !strings.Contains(res.body, "尚未绑定微信") {
			t.Fatalf("after unbind: %s", res.body)
		}
		if n := w.auditActions(t)["staff.unbind"]; n != 1 {
			t.Fatalf("%d unbind entries", n)
		}
		// Another account's WeChat is not a unit's to see.
		if _, err := w.svc.Staff.WeChatAs(context.Background(), core.StaffActor(unit, core.ViaAPI), w.accounts[model.RoleAdmin].ID); err == nil {
			t.Fatal("a unit read another account's WeChat")
		}
	})
}

// TestSupervisionHighlightsUnitsNobodyCanTell: a suggestion just assigned
// to a unit whose accounts have no bound WeChat is listed on the 督办 page
// and in the API's unreached, with the reason; once the unit's account
// binds, it is not.
func TestSupervisionHighlightsUnitsNobodyCanTell(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		lead := w.deputy(t, "王芳", "13900001111")
		w.suggestion(t, "第0101号", "关于增加农村公交班次的建议", "省交通运输厅", "十四届人大三次会议", lead.ID)
		c := w.login(t, model.RoleAdmin)
		res := w.get(t, c, "/admin/supervision")
		if res.status != http.StatusOK || !strings.Contains(res.body, "承办单位未绑定微信（1）") ||
			!strings.Contains(res.body, "<strong>新交办</strong></td><td>省交通运输厅</td>") {
			t.Fatalf("page: %d %s", res.status, res.body)
		}
		api := w.api(t, model.RoleAdmin, http.MethodGet, "/api/v1/supervision", "", nil)
		if api.status != http.StatusOK || !strings.Contains(api.body, `"unbound_units":["省交通运输厅"],"reason":"新交办"`) {
			t.Fatalf("api: %d %s", api.status, api.body)
		}
		if err := db.BindStaffWeChat(context.Background(), w.accounts[model.RoleUnit].ID, "o-unit"); err != nil {
			t.Fatal(err)
		}
		if res := w.get(t, c, "/admin/supervision"); strings.Contains(res.body, "承办单位未绑定微信") {
			t.Fatal("a bound unit is still highlighted")
		}
		if api := w.api(t, model.RoleAdmin, http.MethodGet, "/api/v1/supervision", "", nil); !strings.Contains(api.body, `"unreached":[]`) {
			t.Fatalf("api after binding: %s", api.body)
		}
	})
}

// TestAnAdminUnbindsAnotherAccountsWeChat: the accounts page says which
// accounts have a WeChat bound and lets an administrator unbind one (its
// holder left the unit); the API lists the same, and a unit account may
// not unbind another's.
func TestAnAdminUnbindsAnotherAccountsWeChat(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		unit := w.accounts[model.RoleUnit]
		if err := db.BindStaffWeChat(context.Background(), unit.ID, "o-unit"); err != nil {
			t.Fatal(err)
		}
		c := w.login(t, model.RoleAdmin)
		path := "/admin/accounts/" + strconv.FormatInt(unit.ID, 10) + "/wechat/unbind"
		if res := w.get(t, c, "/admin/accounts"); !strings.Contains(res.body, `action="`+path+`"`) ||
			strings.Count(res.body, `<span class="ok">已绑定</span>`) != 1 {
			t.Fatalf("accounts page: %s", res.body)
		}
		if api := w.api(t, model.RoleAdmin, http.MethodGet, "/api/v1/accounts", "", nil); strings.Count(api.body, `"wechat_bound":true`) != 1 {
			t.Fatalf("api: %s", api.body)
		}
		if _, err := w.svc.Staff.UnbindWeChatAs(context.Background(), core.StaffActor(w.accounts[model.RoleStaff], core.ViaAPI), unit.ID); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("staff unbound another account: %v", err)
		}
		if res := w.postForm(t, c, path, url.Values{}); res.status != http.StatusSeeOther {
			t.Fatalf("unbind: %d %s", res.status, res.body)
		}
		if st, err := w.svc.Staff.WeChatAs(context.Background(), core.StaffActor(unit, core.ViaAPI), unit.ID); err != nil || st.Bound() {
			t.Fatalf("still bound: %+v %v", st, err)
		}
		if got := w.auditSummaries(t, "staff.unbind"); len(got) != 1 || !strings.Contains(got[0], unit.Username) {
			t.Fatalf("audit %q", got)
		}
		if res := w.postForm(t, c, path, url.Values{}); res.status != http.StatusConflict {
			t.Fatalf("unbind again: %d", res.status)
		}
	})
}
