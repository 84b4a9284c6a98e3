package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

var shownCode = regexp.MustCompile(`class="secret">(\d{6})<`)

// auditSummaries returns the summaries of the audit entries of action.
func (w *adminWorld) auditSummaries(t *testing.T, action string) []string {
	t.Helper()
	es, _, err := w.db.ListAudit(context.Background(), model.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if e.Action == action {
			out = append(out, e.Summary)
		}
	}
	return out
}

func codeWorks(t *testing.T, db *storage.DB, code string, deputy int64) bool {
	t.Helper()
	ids, err := db.DeputyIDsForBindCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Equal(ids, []int64{deputy})
}

func TestABindCodeIsShownOnceWithItsExpiryAndBindsTheDeputy(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		d := w.deputy(t, "王芳", "13800000001")
		c := w.login(t, model.RoleStaff)
		path := "/admin/deputies/" + itoa(d.ID)
		mustHave(t, w.get(t, c, path), http.StatusOK, `action="`+path+`/bind-code"`, "生成绑定码")

		res := w.postForm(t, c, path+"/bind-code", url.Values{})
		mustHave(t, res, http.StatusOK, "有效期至 <strong>2026-03-09 09:00</strong>", "只显示这一次")
		m := shownCode.FindStringSubmatch(res.body)
		if m == nil {
			t.Fatalf("no code on the page:\n%s", res.body)
		}
		if !codeWorks(t, db, m[1], d.ID) {
			t.Fatalf("the code shown, %s, does not find the deputy", m[1])
		}
		summaries := w.auditSummaries(t, "deputy.bind_code")
		if len(summaries) != 1 || strings.Contains(summaries[0], m[1]) || !strings.Contains(summaries[0], "王芳") {
			t.Fatalf("audit %q: want one entry naming the deputy and not the code", summaries)
		}

		api := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies/"+itoa(d.ID)+"/bind-code", "", nil)
		var got struct {
			Code      string    `json:"code"`
			ExpiresAt time.Time `json:"expires_at"`
			Bound     bool      `json:"bound"`
		}
		if err := json.Unmarshal([]byte(api.body), &got); err != nil || api.status != http.StatusOK {
			t.Fatalf("api: %d %s", api.status, api.body)
		}
		if !got.ExpiresAt.Equal(w.clock.Now().Add(7*24*time.Hour)) || got.Bound || !codeWorks(t, db, got.Code, d.ID) {
			t.Fatalf("api code %+v", got)
		}
		if got.Code != m[1] && codeWorks(t, db, m[1], d.ID) {
			t.Fatal("the earlier code still works after a new one was issued")
		}
		w.clock.Advance(7*24*time.Hour + time.Minute)
		if codeWorks(t, db, got.Code, d.ID) {
			t.Fatal("the code works after 7 days")
		}
	})
}

func TestATerminatedDeputyGetsNoBindCode(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	d := w.deputy(t, "王芳", "13800000001")
	if err := db.TerminateDeputy(t.Context(), d.ID, w.clock.Now(), "调离"); err != nil {
		t.Fatal(err)
	}
	c := w.login(t, model.RoleStaff)
	mustLack(t, w.get(t, c, "/admin/deputies/"+itoa(d.ID)), "生成绑定码")
	mustHave(t, w.postForm(t, c, "/admin/deputies/"+itoa(d.ID)+"/bind-code", url.Values{}), http.StatusUnprocessableEntity, "代表资格已终止")
	if res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies/"+itoa(d.ID)+"/bind-code", "", nil); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("api: %d %s", res.status, res.body)
	}
	if n := w.auditActions(t)["deputy.bind_code"]; n != 0 {
		t.Fatalf("%d audit entries for a refused code", n)
	}
}

func TestUnbindingAsksForConfirmationAndIsAudited(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		d := w.deputy(t, "王芳", "13800000001")
		ctx := t.Context()
		if err := db.BindDeputy(ctx, d.ID, "o-wangfang"); err != nil {
			t.Fatal(err)
		}
		c := w.login(t, model.RoleStaff)
		path := "/admin/deputies/" + itoa(d.ID)
		mustHave(t, w.get(t, c, path), http.StatusOK, `href="`+path+`/unbind"`)
		mustHave(t, w.get(t, c, path+"/unbind"), http.StatusOK, `name="confirm"`, "我确认解除 王芳 的微信绑定")

		res := w.postForm(t, c, path+"/unbind", url.Values{})
		mustHave(t, res, http.StatusUnprocessableEntity, "请勾选确认")
		if got, _ := db.GetDeputy(ctx, d.ID); got.OpenID != "o-wangfang" {
			t.Fatal("unbound without confirmation")
		}
		res = w.postForm(t, c, path+"/unbind", url.Values{"confirm": {"1"}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != path {
			t.Fatalf("confirmed unbind: %d %s", res.status, res.header.Get("Location"))
		}
		if got, _ := db.GetDeputy(ctx, d.ID); got.OpenID != "" {
			t.Fatal("still bound")
		}
		mustHave(t, w.get(t, c, path), http.StatusOK, "已解除 王芳 的微信绑定", "未绑定")
		mustHave(t, w.postForm(t, c, path+"/unbind", url.Values{"confirm": {"1"}}), http.StatusConflict, "尚未绑定")

		if err := db.BindDeputy(ctx, d.ID, "o-wangfang-2"); err != nil {
			t.Fatal(err)
		}
		if res := w.api(t, model.RoleReadonly, http.MethodPost, "/api/v1/deputies/"+itoa(d.ID)+"/unbind", "", nil); res.status != http.StatusForbidden {
			t.Fatalf("a read-only token unbinds: %d", res.status)
		}
		res = w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies/"+itoa(d.ID)+"/unbind", "", nil)
		if res.status != http.StatusOK || !strings.Contains(res.body, `"bound":false`) {
			t.Fatalf("api unbind: %d %s", res.status, res.body)
		}
		if res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies/"+itoa(d.ID)+"/unbind", "", nil); res.status != http.StatusConflict {
			t.Fatalf("api unbind of an unbound deputy: %d", res.status)
		}
		if n := w.auditActions(t)["deputy.unbind"]; n != 2 {
			t.Fatalf("%d unbind audit entries, want 2", n)
		}
	})
}

func TestTheDeputyPageShowsTheRecordOfWork(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	ctx := t.Context()
	d := w.deputy(t, "王芳", "13800000001")
	now := w.clock.Now()
	m := model.Meeting{Kind: "inspection", Title: "集中视察" + xss, StartsAt: now.Add(48 * time.Hour), Place: "济南",
		RSVPDeadline: now.Add(24 * time.Hour)}
	if err := db.CreateMeeting(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Invite(ctx, m.ID, []int64{d.ID}); err != nil {
		t.Fatal(err)
	}
	if err := db.AnswerInvitation(ctx, m.ID, d.ID, model.RSVPLeave, "外出调研", "wechat"); err != nil {
		t.Fatal(err)
	}
	sg := w.suggestion(t, "第0042号", "关于改善农村公路养护的建议", ourUnit, "十四届三次", d.ID)
	rating := model.SuggestionRating{SuggestionID: sg.ID, DeputyID: d.ID, Contact: model.ContactPhone,
		Attitude: model.RatingSatisfied, Result: model.RatingDissatisfied, Reason: "进度太慢", RatedAt: now}
	if err := db.UpsertRating(ctx, &rating, nil); err != nil {
		t.Fatal(err)
	}
	body := "建议加快" + xss + strings.Repeat("甲", 40) + "结尾不应显示"
	o := w.opinion(t, d.ID, "social", body)

	for _, role := range []string{model.RoleStaff, model.RoleReadonly} {
		res := w.get(t, w.login(t, role), "/admin/deputies/"+itoa(d.ID))
		mustHave(t, res, http.StatusOK,
			"集中视察&lt;script&gt;", "请假", "外出调研", // invitation
			"第0042号", "关于改善农村公路养护的建议", "领衔", // suggestion
			"电话沟通", "满意", "不满意", "进度太慢", // rating
			o.Receipt, "建议加快&lt;script&gt;", // opinion, escaped
		)
		mustLack(t, res, "<script>alert", "<img src=x", "结尾不应显示")
		if role == model.RoleReadonly {
			mustLack(t, res, "生成绑定码", "/unbind")
		}
	}
}
