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

// TestTheTemplateFormOfAKindListsTheAccountsTemplatesAndSavesThatKind:
// each notice kind has its own form offering the account's templates
// (title, ID, keywords); it saves that kind only, exactly the keyword
// rows filled in, and an ID the account lacks is refused beside the field
// with nothing saved.
func TestTheTemplateFormOfAKindListsTheAccountsTemplatesAndSavesThatKind(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		sim := wechatsim.New(wechatsim.Config{AppID: "wxform", AppSecret: "sec", Token: "tok"})
		t.Cleanup(sim.Close)
		sim.SetTemplates("TPL_MEETING", "TPL_NOTICE")
		wx := httptest.NewServer(sim.Handler())
		t.Cleanup(wx.Close)
		client, err := bot.NewClient(bot.ClientConfig{AppID: "wxform", AppSecret: "sec", APIBase: wx.URL, Timeout: 5 * time.Second}, db)
		if err != nil {
			t.Fatal(err)
		}
		w := newAdminWorld(t, db, "")
		w.svc.Settings.UseTemplateCatalog(client.Templates)
		c := w.login(t, model.RoleAdmin)

		res := w.get(t, c, "/admin/settings")
		mustHave(t, res, http.StatusOK, `id="template-meeting_invitation"`, `<option value="TPL_MEETING"`, "模拟模板 TPL_NOTICE",
			"关键词 thing1、time2、thing3", `name="kw0"`, `<option value="title"`)

		res = w.postForm(t, c, "/admin/settings/template", url.Values{"kind": {model.KindInvitation}, "id": {"TPL_NOPE"},
			"kw0": {"thing1"}, "field0": {"title"}})
		mustHave(t, res, http.StatusUnprocessableEntity, "公众号的模板列表中没有这个模板 ID", `公众号中没有：TPL_NOPE`)
		if n := strings.Count(res.body, `class="field has-err"`); n != 1 {
			t.Errorf("%d fields marked, want 1", n)
		}
		res = w.postForm(t, c, "/admin/settings/template", url.Values{"kind": {model.KindInvitation}, "id": {"TPL_MEETING"},
			"kw0": {"thing1"}, "field0": {"title"}, "kw1": {"thing1"}, "field1": {"place"}})
		mustHave(t, res, http.StatusUnprocessableEntity, "关键词 thing1 填写了不止一次")
		if saved, _ := db.TemplateSettings(t.Context()); len(saved) != 0 {
			t.Fatalf("saved %v despite errors", saved)
		}

		for _, f := range []url.Values{
			{"kind": {model.KindInvitation}, "id": {"TPL_MEETING"}, "kw0": {"thing1"}, "field0": {"title"}, "kw2": {"time2"}, "field2": {"time"}},
			{"kind": {model.KindGeneral}, "id": {"TPL_NOTICE"}, "kw0": {"thing1"}, "field0": {"title"}},
		} {
			if res := w.postForm(t, c, "/admin/settings/template", f); res.status != http.StatusSeeOther {
				t.Fatalf("save %v: %d %s", f, res.status, res.body)
			}
		}
		saved, err := db.TemplateSettings(t.Context())
		meeting := saved[model.KindInvitation]
		if err != nil || len(saved) != 2 || meeting.ID != "TPL_MEETING" || len(meeting.Fields) != 2 ||
			meeting.Fields["thing1"] != "title" || meeting.Fields["time2"] != "time" || saved[model.KindGeneral].ID != "TPL_NOTICE" {
			t.Fatalf("saved %v %v", saved, err)
		}
		// The form shows what was saved: the template chosen, the rows in keyword order.
		res = w.get(t, c, "/admin/settings")
		form := res.body[strings.Index(res.body, `id="template-meeting_invitation"`):]
		form = form[:strings.Index(form, "</details>")]
		for _, want := range []string{`<option value="TPL_MEETING" selected>`, `name="kw0" value="thing1"`, `name="kw1" value="time2"`,
			`name="kw2" value=""`} {
			if !strings.Contains(form, want) {
				t.Errorf("the meeting form lacks %s", want)
			}
		}
		// Emptied, the kind follows the configuration again.
		if res := w.postForm(t, c, "/admin/settings/template", url.Values{"kind": {model.KindInvitation}, "id": {""}}); res.status != http.StatusSeeOther {
			t.Fatalf("clear: %d %s", res.status, res.body)
		}
		if saved, _ := db.TemplateSettings(t.Context()); len(saved) != 1 || saved[model.KindGeneral].ID != "TPL_NOTICE" {
			t.Fatalf("after clearing: %v", saved)
		}
		if got := w.auditSummaries(t, "settings.templates"); len(got) != 3 {
			t.Fatalf("audit %q", got)
		}
		if res := w.postForm(t, w.login(t, model.RoleStaff), "/admin/settings/template", url.Values{"kind": {model.KindGeneral}}); res.status != http.StatusForbidden {
			t.Fatalf("staff: %d", res.status)
		}
	})
}

// TestTheMenuFormSavesExactlyWhatItShows: the menu edited as buttons and
// sub-buttons is stored as typed (types from the form, empty slots left
// out); a parent given a key, or a click without one, is refused with
// what was typed kept.
func TestTheMenuFormSavesExactlyWhatItShows(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		c := w.login(t, model.RoleAdmin)
		mustHave(t, w.get(t, c, "/admin/settings"), http.StatusOK, `name="m0_name" value="学习材料"`, `name="m2_0_name" value="我的建议"`)

		bad := url.Values{"m0_name": {"学习"}, "m0_type": {"sub"}, "m0_target": {"X"}, "m0_0_name": {"材料"}, "m0_0_type": {"click"},
			"m0_0_target": {"MATERIALS"}, "m1_name": {"会议"}, "m1_type": {"click"}}
		res := w.postForm(t, c, "/admin/settings/menu", bad)
		mustHave(t, res, http.StatusUnprocessableEntity, "菜单有误，未保存", "有子菜单，不能再设置", "须有 key", `name="m0_target" value="X"`)
		if _, err := db.MenuSetting(t.Context()); err == nil {
			t.Fatal("a refused menu was saved")
		}

		good := url.Values{"m0_name": {"学习"}, "m0_type": {"sub"}, "m0_0_name": {"材料"}, "m0_0_type": {"click"}, "m0_0_target": {"MATERIALS"},
			"m0_3_name": {"官网"}, "m0_3_type": {"view"}, "m0_3_target": {"https://rd.example.gov.cn/"},
			"m2_name": {"会议"}, "m2_type": {"click"}, "m2_target": {"MY_MEETINGS"}}
		if res := w.postForm(t, c, "/admin/settings/menu", good); res.status != http.StatusSeeOther {
			t.Fatalf("a valid menu: %d %s", res.status, res.body)
		}
		saved, err := db.MenuSetting(t.Context())
		compact := strings.Join(strings.Fields(string(saved)), "")
		want := `{"button":[{"name":"学习","sub_button":[{"type":"click","name":"材料","key":"MATERIALS"},{"type":"view","name":"官网","url":"https://rd.example.gov.cn/"}]},{"type":"click","name":"会议","key":"MY_MEETINGS"}]}`
		if err != nil || compact != want {
			t.Fatalf("saved %s %v\nwant %s", compact, err, want)
		}
		mustHave(t, w.get(t, c, "/admin/settings"), http.StatusOK, `name="m0_1_name" value="官网"`, `name="m1_name" value="会议"`,
			`name="m2_name" value=""`)
		if got := w.auditActions(t); got["settings.menu"] != 1 {
			t.Fatalf("audit %v", got)
		}
	})
}
