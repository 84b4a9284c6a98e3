package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// TestATemplateTheAccountLacksIsRefusedByConsoleAndAPIAlike: both
// surfaces call core.Settings.SaveTemplatesAs, which checks template IDs
// against the account's list (the simulator's), so TPL_NOPE gets the same
// key and message from the console's 422 page and the API's 422 JSON,
// and nothing is saved or audited; an ID the account has is saved with
// exactly one audit entry per surface.
func TestATemplateTheAccountLacksIsRefusedByConsoleAndAPIAlike(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		sim := wechatsim.New(wechatsim.Config{AppID: "wxtpl", AppSecret: "sec", Token: "tok"})
		t.Cleanup(sim.Close)
		sim.SetTemplates("TPL_MEETING", "TPL_SURVEY")
		wx := httptest.NewServer(sim.Handler())
		t.Cleanup(wx.Close)
		client, err := bot.NewClient(bot.ClientConfig{AppID: "wxtpl", AppSecret: "sec", APIBase: wx.URL, Timeout: 5 * time.Second}, db)
		if err != nil {
			t.Fatal(err)
		}
		w := newAdminWorld(t, db, "")
		w.svc.Settings.UseTemplateLister(client.TemplateIDs)
		c := w.login(t, model.RoleAdmin)

		const msg = "公众号的模板列表中没有这个模板 ID"
		res := w.postForm(t, c, "/admin/settings/templates", url.Values{"id_survey": {"TPL_NOPE"}, "fields_survey": {"thing1=title"}})
		mustHave(t, res, http.StatusUnprocessableEntity, "模板设置有误，未保存", msg, `value="TPL_NOPE"`)
		res = w.api(t, model.RoleAdmin, http.MethodPut, "/api/v1/settings/templates", "application/json",
			strings.NewReader(`{"templates":{"survey":{"id":"TPL_NOPE","fields":{"thing1":"title"}}}}`))
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `"field":"templates.survey.id"`) || !strings.Contains(res.body, msg) {
			t.Fatalf("api with a template the account lacks: %d %s", res.status, res.body)
		}
		if saved, _ := db.TemplateSettings(t.Context()); len(saved) != 0 {
			t.Fatalf("saved %v", saved)
		}
		if got := w.auditSummaries(t, "settings.templates"); len(got) != 0 {
			t.Fatalf("refusals audited: %q", got)
		}

		if res := w.postForm(t, c, "/admin/settings/templates", url.Values{"id_survey": {"TPL_SURVEY"}, "fields_survey": {"thing1=title"}}); res.status != http.StatusSeeOther {
			t.Fatalf("console with a template the account has: %d %s", res.status, res.body)
		}
		res = w.api(t, model.RoleAdmin, http.MethodPut, "/api/v1/settings/templates", "application/json",
			strings.NewReader(`{"templates":{"meeting_invitation":{"id":"TPL_MEETING","fields":{"thing1":"title"}}}}`))
		if res.status != http.StatusOK {
			t.Fatalf("api with a template the account has: %d %s", res.status, res.body)
		}
		if got := w.auditSummaries(t, "settings.templates"); len(got) != 2 {
			t.Fatalf("two saves, audit %q", got)
		}

		// WeChat unreachable: the form is checked, the IDs cannot be, and
		// the console says so rather than claiming they were.
		sim.AddFault(wechatsim.Fault{Path: "/cgi-bin/template/get_all_private_template", ErrCode: -1})
		if res := w.postForm(t, c, "/admin/settings/templates", url.Values{"id_survey": {"TPL_ANY"}, "fields_survey": {"thing1=title"}}); res.status != http.StatusSeeOther {
			t.Fatalf("with WeChat unreachable: %d %s", res.status, res.body)
		}
		mustHave(t, w.get(t, c, "/admin/settings"), http.StatusOK, "模板 ID 未与公众号核对")
	})
}
