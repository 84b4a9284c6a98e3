package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestLiaisonConsole(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		var names []string
		for i := 1; i <= 6; i++ {
			d := w.deputy(t, fmt.Sprintf("联系代表%d", i), fmt.Sprintf("1380000010%d", i))
			names = append(names, d.Name)
		}
		c := w.login(t, model.RoleStaff)
		if res := w.get(t, w.login(t, model.RoleReadonly), "/admin/liaison"); res.status != http.StatusForbidden {
			t.Fatalf("readonly: %d", res.status)
		}
		mustHave(t, w.get(t, c, "/admin/liaison"), http.StatusOK, "还没有委员", `href="/admin/liaison"`)
		if res := w.postForm(t, c, "/admin/liaison", url.Values{"name": {""}}); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("no name: %d", res.status)
		}
		res := w.postForm(t, c, "/admin/liaison", url.Values{"name": {"李委员"}, "title": {"常委会委员"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.status, res.body)
		}
		ms, err := db.ListCommitteeMembers(context.Background())
		if err != nil || len(ms) != 1 {
			t.Fatalf("%+v %v", ms, err)
		}
		page := "/admin/liaison/" + itoa(ms[0].ID)

		// Three deputies: saved, flagged.
		if res := w.postForm(t, c, page+"/links", url.Values{"deputies": {strings.Join(names[:3], "\n")}}); res.status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.status, res.body)
		}
		mustHave(t, w.get(t, c, page), http.StatusOK, "不在规定的 5–7 名之间", names[2])
		mustHave(t, w.get(t, c, "/admin/liaison"), http.StatusOK, "3 名", "不在规定")
		if res := w.postForm(t, c, page+"/links", url.Values{"deputies": {"无此人"}}); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, "没有名为") {
			t.Fatalf("unknown name: %d", res.status)
		}
		if res := w.postForm(t, c, page+"/links", url.Values{"deputies": {strings.Join(names[:5], "、")}}); res.status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.status, res.body)
		}
		ids, _ := core.NewLiaison(db).Deputies(context.Background(), ms[0].ID)
		if len(ids) != 5 {
			t.Fatalf("linked %v", ids)
		}
		res = w.get(t, c, page)
		mustLack(t, res, "不在规定")
		mustHave(t, res, http.StatusOK, "今年尚未联系", names[4])

		day := w.clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
		if res := w.postForm(t, c, page+"/contacts", url.Values{"deputy_id": {itoa(ids[0])}, "kind": {"电话"},
			"on_date": {day}, "note": {"了解议案准备情况"}}); res.status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if res := w.postForm(t, c, page+"/contacts", url.Values{"deputy_id": {itoa(ids[0])}, "kind": {"短信"},
			"on_date": {day}}); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad kind: %d", res.status)
		}
		mustHave(t, w.get(t, c, page), http.StatusOK, "了解议案准备情况", "1 次")
		if got := w.auditActions(t); got["liaison.member.create"] != 1 || got["liaison.link"] != 2 || got["liaison.contact"] != 1 {
			t.Fatalf("audit %v", got)
		}
	})
}

// TestAMemberBoundWithACodeIsUnboundInTheConsole: staff unbind the WeChat
// a member bound with a code (one audit entry), after which a new code
// can be issued; unbinding a member who is not bound is refused and
// changes nothing.
func TestAMemberBoundWithACodeIsUnboundInTheConsole(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		c := w.login(t, model.RoleStaff)
		if res := w.postForm(t, c, "/admin/liaison", url.Values{"name": {"周委员"}}); res.status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.status, res.body)
		}
		ms, err := db.ListCommitteeMembers(context.Background())
		if err != nil || len(ms) != 1 {
			t.Fatalf("%+v %v", ms, err)
		}
		page := "/admin/liaison/" + itoa(ms[0].ID)
		if res := w.postForm(t, c, page+"/unbind", url.Values{}); res.status != http.StatusConflict || !strings.Contains(res.body, "无需解除") {
			t.Fatalf("unbinding an unbound member: %d", res.status)
		}
		if err := db.BindMember(t.Context(), ms[0].ID, "o-zhou"); err != nil {
			t.Fatal(err)
		}
		mustHave(t, w.get(t, c, page), http.StatusOK, "已绑定微信", `action="`+page+`/unbind"`, "data-confirm=")
		if res := w.postForm(t, c, page+"/bind-code", url.Values{}); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("a code for a bound member: %d", res.status)
		}
		if res := w.postForm(t, c, page+"/unbind", url.Values{}); res.status != http.StatusSeeOther {
			t.Fatalf("unbind: %d %s", res.status, res.body)
		}
		if m, err := db.MemberByOpenID(t.Context(), "o-zhou"); err == nil {
			t.Fatalf("still bound: %+v", m)
		}
		mustHave(t, w.get(t, c, page), http.StatusOK, "未绑定微信", "生成绑定码")
		if res := w.postForm(t, c, page+"/bind-code", url.Values{}); res.status != http.StatusOK {
			t.Fatalf("a code after unbinding: %d", res.status)
		}
		if got := w.auditActions(t); got["liaison.member.unbind"] != 1 {
			t.Fatalf("audit %v", got)
		}
		if res := w.postForm(t, w.login(t, model.RoleReadonly), page+"/unbind", url.Values{}); res.status != http.StatusForbidden {
			t.Fatalf("read-only: %d", res.status)
		}
	})
}
