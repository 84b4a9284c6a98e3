package handlers_test

import (
	"context"
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

func TestSupervisionPageExtensionsAndUnitScope(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	ctx := context.Background()
	d := w.deputy(t, "王芳", "13800000001")
	svc := core.NewSuggestions(db)
	svc.Now = w.clock.Now
	mine := model.Suggestion{Number: "1", Title: "关于公路养护的建议", HostUnit: "省交通运输厅", LeadDeputyID: d.ID, Session: "十四届三次"}
	other := model.Suggestion{Number: "2", Title: "关于学前教育的建议", HostUnit: "省教育厅", LeadDeputyID: d.ID, Session: "十四届三次"}
	for _, sg := range []*model.Suggestion{&mine, &other} {
		if err := svc.Create(ctx, sg, nil); err != nil {
			t.Fatal(err)
		}
	}
	w.clock.Advance(84 * 24 * time.Hour) // 2026-05-25: both fall due on 06-02

	staff := w.login(t, model.RoleStaff)
	res := w.get(t, staff, "/admin/supervision")
	for _, want := range []string{"见面率 = 至少一位代表测评为“当面沟通”的建议件数", "第0001号", "第0002号", "临近期限（2）", "剩 8 天"} {
		if res.status != http.StatusOK || !strings.Contains(res.body, want) {
			t.Fatalf("staff page lacks %q: %d", want, res.status)
		}
	}
	unit := w.login(t, model.RoleUnit)
	if res := w.get(t, unit, "/admin/supervision"); res.status != http.StatusOK || !strings.Contains(res.body, "第0001号") ||
		strings.Contains(res.body, "第0002号") {
		t.Fatalf("a unit sees other units' suggestions: %d", res.status)
	}
	ask := url.Values{"new_deadline": {"2026-08-01"}, "reason": {"需省财政厅配合"}}
	if res := w.postForm(t, unit, "/admin/supervision/suggestions/2/extensions", ask); res.status != http.StatusNotFound {
		t.Fatalf("a unit asks for another unit's suggestion: %d", res.status)
	}
	if res := w.postForm(t, unit, "/admin/supervision/suggestions/1/extensions", url.Values{"new_deadline": {"2026-12-31"}, "reason": {"x"}}); res.status != http.StatusSeeOther {
		t.Fatalf("past the limit: %d", res.status)
	}
	if res := w.get(t, unit, "/admin/supervision"); !strings.Contains(res.body, "未能提交") || !strings.Contains(res.body, "最长 6 个月") {
		t.Fatal("the refusal is not shown")
	}
	if res := w.postForm(t, unit, "/admin/supervision/suggestions/1/extensions", ask); res.status != http.StatusSeeOther {
		t.Fatalf("request: %d %s", res.status, res.body)
	}
	pending, err := db.ListExtensions(ctx, model.ExtensionFilter{Status: model.ExtensionPending})
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending %v %v", pending, err)
	}
	decide := "/admin/supervision/extensions/" + itoa(pending[0].ID) + "/decide"
	if res := w.postForm(t, unit, decide, url.Values{"decision": {"approve"}}); res.status != http.StatusForbidden {
		t.Fatalf("a unit approves its own request: %d", res.status)
	}
	if res := w.postForm(t, staff, decide, url.Values{"decision": {"approve"}, "note": {"同意"}}); res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.status)
	}
	sv := core.NewSupervision(db, nil)
	sv.Now = w.clock.Now
	if v, err := sv.Get(ctx, mine.ID); err != nil || v.Deadline.Format(time.DateOnly) != "2026-08-01" {
		t.Fatalf("deadline after approval %v %v", v.Deadline, err)
	}
	if w.auditActions(t)["supervision.extension.decide"] != 1 {
		t.Fatal("the decision is not audited")
	}
}
