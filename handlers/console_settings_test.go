package handlers_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"deputybot/bot"
	"deputybot/config"
	"deputybot/core"
	"deputybot/handlers"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// withSettingsDeps gives the world's settings page its dependencies.
func withSettingsDeps(t *testing.T, w *adminWorld, cfg *config.Config, sync handlers.MenuSyncer) {
	t.Helper()
	w.useSettings(cfg, sync)
}

func TestTemplateSettingsShowErrorsBesideTheFieldsAndSaveNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		c := w.login(t, model.RoleAdmin)
		mustHave(t, w.get(t, c, "/admin/settings"), http.StatusOK, `name="id_general_notice"`, "通知公告")

		bad := url.Values{
			"fields_general_notice":     {"thing1=title"}, // no ID
			"id_meeting_invitation":     {"TPL-MEET"},     // bad keyword and field
			"fields_meeting_invitation": {"foo=title, thing2=<b>salary</b>"},
			"id_survey":                 {"TPL SURVEY"}, // a space in the ID, no mapping
		}
		res := w.postForm(t, c, "/admin/settings/templates", bad)
		mustHave(t, res, http.StatusUnprocessableEntity, "模板设置有误，未保存",
			"模板 ID 不能为空", `关键词 &#34;foo&#34; 应形如 thing1、time2`, `字段 &#34;&lt;b&gt;salary&lt;/b&gt;&#34; 不可用`,
			"模板 ID 只能由字母、数字", "至少填写一个关键词",
			`value="TPL-MEET"`) // what was typed is kept
		mustLack(t, res, "<b>salary")
		if n := strings.Count(res.body, `class="field has-err"`); n != 4 {
			t.Errorf("%d fields marked, want 4", n)
		}
		if saved, _ := db.TemplateSettings(t.Context()); len(saved) != 0 {
			t.Fatalf("saved %v despite errors", saved)
		}

		good := url.Values{"id_general_notice": {"TPL_GENERAL"}, "fields_general_notice": {"thing1=title，time2=time"}}
		res = w.postForm(t, c, "/admin/settings/templates", good)
		if res.status != http.StatusSeeOther {
			t.Fatalf("valid templates: %d %s", res.status, res.body)
		}
		saved, err := db.TemplateSettings(t.Context())
		if err != nil || len(saved) != 1 || saved[model.KindGeneral].ID != "TPL_GENERAL" ||
			saved[model.KindGeneral].Fields["time2"] != "time" {
			t.Fatalf("saved %v %v", saved, err)
		}
		mustHave(t, w.get(t, c, "/admin/settings"), http.StatusOK, `value="TPL_GENERAL"`, `value="thing1=title, time2=time"`, "模板消息设置已保存")
		if got := w.auditSummaries(t, "settings.templates"); len(got) != 1 || !strings.Contains(got[0], "TPL_GENERAL") {
			t.Fatalf("audit %q", got)
		}

		// The API shares the rules.
		res = w.api(t, model.RoleAdmin, http.MethodPut, "/api/v1/settings/templates", "application/json",
			strings.NewReader(`{"templates":{"survey":{"id":"","fields":{"thing1":"salary"}}}}`))
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `"field":"templates.survey.id"`) ||
			!strings.Contains(res.body, `"field":"templates.survey.fields"`) {
			t.Fatalf("api with bad templates: %d %s", res.status, res.body)
		}
		res = w.api(t, model.RoleAdmin, http.MethodPut, "/api/v1/settings/templates", "application/json",
			strings.NewReader(`{"templates":{"survey":{"id":"TPL_SURVEY","fields":{"thing1":"title"}}}}`))
		if res.status != http.StatusOK || !strings.Contains(res.body, `"override":{"id":"TPL_SURVEY"`) {
			t.Fatalf("api with good templates: %d %s", res.status, res.body)
		}
		if saved, _ := db.TemplateSettings(t.Context()); len(saved) != 1 || saved[model.KindSurvey].ID != "TPL_SURVEY" {
			t.Fatalf("after the API: %v (the PUT replaces every override)", saved)
		}
		if res := w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/settings", "", nil); res.status != http.StatusForbidden {
			t.Fatalf("staff reads the settings: %d", res.status)
		}
	})
}

func TestASavedTemplateIsUsedByTheConsolesOutbox(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	log := slog.New(slog.DiscardHandler)
	out := notify.New(db, notify.Config{Templates: map[string]notify.Template{model.KindGeneral: {ID: "CFG"}}}, log)
	if tpl, _ := out.Template(model.KindGeneral); tpl.ID != "CFG" {
		t.Fatalf("before: %q", tpl.ID)
	}
	w := newAdminWorld(t, db, "")
	d := handlers.AdminDeps{SessionStore: db.Sessions(), Log: log, PublicURL: w.public, Outbox: out,
		Services: core.New(db, core.Options{Now: w.clock.Now})}
	srv := httptest.NewServer(handlers.New(handlers.Deps{Log: log, DB: db, Admin: handlers.Admin(d), API: handlers.API(d)}))
	t.Cleanup(srv.Close)
	w.srv = srv
	res := w.postForm(t, w.login(t, model.RoleAdmin), "/admin/settings/templates",
		url.Values{"id_general_notice": {"SAVED"}, "fields_general_notice": {"thing1=title"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.status, res.body)
	}
	// This instance uses the change at once, without waiting 30 s.
	if tpl, _ := out.Template(model.KindGeneral); tpl.ID != "SAVED" {
		t.Fatalf("after: %q", tpl.ID)
	}
}

func TestTheMenuIsValidatedSavedAndSyncedToWeChat(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		c := w.login(t, model.RoleAdmin)
		res := w.get(t, c, "/admin/settings")
		mustHave(t, res, http.StatusOK, "学习材料", "同步不可用")
		mustLack(t, res, `action="/admin/settings/menu/sync"`)
		if res := w.postForm(t, c, "/admin/settings/menu/sync", url.Values{}); res.status != http.StatusServiceUnavailable {
			t.Fatalf("sync without a client: %d", res.status)
		}

		for _, tc := range []struct{ name, menu, want string }{
			{"empty", "", "菜单不能为空"},
			{"not JSON", `{"button": [`, "不是有效的菜单 JSON"},
			{"four top buttons", `{"button":[{"name":"一","key":"A"},{"name":"二","key":"B"},{"name":"三","key":"C"},{"name":"四","key":"D"}]}`, "一级菜单应有 1 至 3 个，现有 4 个"},
			{"six sub buttons", `{"button":[{"name":"我的","sub_button":[{"name":"1","key":"a"},{"name":"2","key":"b"},{"name":"3","key":"c"},{"name":"4","key":"d"},{"name":"5","key":"e"},{"name":"6","key":"f"}]}]}`, "子菜单最多 5 个，现有 6 个"},
			{"neither key nor url", `{"button":[{"name":"空"}]}`, "须有 key（点击菜单）或 url（链接菜单）之一"},
			{"a bad url", `{"button":[{"type":"view","name":"官网","url":"javascript:alert(1)"}]}`, "url 应是 http(s) 网址"},
			{"a misspelt field", `{"button":[{"name":"学习","kye":"X"}]}`, "未知字段"},
			{"a long name", `{"button":[{"name":"代表学习材料汇编","key":"X"}]}`, "名称“代表学习材料汇编”过长"},
		} {
			t.Run("refuses "+tc.name, func(t *testing.T) {
				res := w.postForm(t, c, "/admin/settings/menu", url.Values{"menu": {tc.menu}})
				mustHave(t, res, http.StatusUnprocessableEntity, tc.want)
				if !strings.Contains(res.body, `class="field has-err"`) {
					t.Error("the error is not beside the menu")
				}
				if _, err := db.MenuSetting(t.Context()); err == nil {
					t.Fatal("an invalid menu was saved")
				}
			})
		}

		menu := `{"button":[{"name":"学习","key":"MATERIALS"},{"name":"我的","sub_button":[` +
			`{"name":"我的建议","key":"MY_SUGGESTIONS"},{"type":"view","name":"官网","url":"https://rd.example.gov.cn/"}]}]}`
		res = w.postForm(t, c, "/admin/settings/menu", url.Values{"menu": {menu}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("a valid menu: %d %s", res.status, res.body)
		}
		saved, err := db.MenuSetting(t.Context())
		if err != nil || !strings.Contains(string(saved), `"type": "click"`) {
			t.Fatalf("saved %s %v (types filled in)", saved, err)
		}
		mustHave(t, w.get(t, c, "/admin/settings"), http.StatusOK, "MY_SUGGESTIONS", "在本页保存的菜单")

		// Sync goes to the (simulated) WeChat platform through the real client.
		sim := wechatsim.New(wechatsim.Config{AppID: "wxmenu", AppSecret: "sec", Token: "tok", Mode: wechatsim.ModePlain})
		t.Cleanup(sim.Close)
		api := httptest.NewServer(sim.Handler())
		t.Cleanup(api.Close)
		client, err := bot.NewClient(bot.ClientConfig{AppID: "wxmenu", AppSecret: "sec", APIBase: api.URL}, db)
		if err != nil {
			t.Fatal(err)
		}
		withSettingsDeps(t, w, nil, client.CreateMenu)
		mustHave(t, w.get(t, c, "/admin/settings"), http.StatusOK, `action="/admin/settings/menu/sync"`)
		if res := w.postForm(t, c, "/admin/settings/menu/sync", url.Values{}); res.status != http.StatusSeeOther {
			t.Fatalf("sync: %d %s", res.status, res.body)
		}
		got := sim.Menu()
		if len(got) != 2 || len(got[1].SubButton) != 2 {
			t.Fatalf("WeChat has the menu %+v", got)
		}
		b, _ := json.Marshal(got)
		if !strings.Contains(string(b), "https://rd.example.gov.cn/") || !strings.Contains(string(b), "MY_SUGGESTIONS") {
			t.Fatalf("WeChat has the menu %s", b)
		}

		res = w.postForm(t, c, "/admin/settings/menu/reset", url.Values{})
		if res.status != http.StatusSeeOther {
			t.Fatalf("reset: %d", res.status)
		}
		if _, err := db.MenuSetting(t.Context()); err == nil {
			t.Fatal("the menu is still saved after a reset")
		}
		actions := w.auditActions(t)
		if actions["settings.menu"] != 2 || actions["settings.menu_sync"] != 1 {
			t.Fatalf("audit %v", actions)
		}
	})
}

func TestTheMenuAPIValidatesAndSaves(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	res := w.api(t, model.RoleAdmin, http.MethodPut, "/api/v1/settings/menu", "application/json",
		strings.NewReader(`{"button":[{"name":"学习","url":"ftp://x"}]}`))
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `"field":"menu"`) {
		t.Fatalf("bad menu: %d %s", res.status, res.body)
	}
	res = w.api(t, model.RoleAdmin, http.MethodPut, "/api/v1/settings/menu", "application/json",
		strings.NewReader(`{"button":[{"name":"学习","key":"MATERIALS"}]}`))
	if res.status != http.StatusOK || !strings.Contains(res.body, `"menu_saved":true`) {
		t.Fatalf("good menu: %d %s", res.status, res.body)
	}
	if res := w.api(t, model.RoleAdmin, http.MethodPost, "/api/v1/settings/menu/sync", "", nil); res.status != http.StatusServiceUnavailable {
		t.Fatalf("sync without a client: %d %s", res.status, res.body)
	}
	res = w.api(t, model.RoleAdmin, http.MethodDelete, "/api/v1/settings/menu", "", nil)
	if res.status != http.StatusOK || !strings.Contains(res.body, `"menu_saved":false`) {
		t.Fatalf("reset: %d %s", res.status, res.body)
	}
}

func TestTheSettingsPageShowsTheConfigurationWithSecretsMasked(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	cfg := config.Default()
	cfg.WeChat.AppID, cfg.WeChat.AppSecret, cfg.WeChat.Token = "wx123", "app-secret-value", "token-value"
	cfg.Database = config.Database{Driver: "mysql", DSN: "deputybot:db-password@tcp(127.0.0.1:3306)/deputybot"}
	cfg.WeChat.Templates = map[string]config.TemplateConfig{model.KindInvitation: {ID: "CFG_MEETING", Fields: map[string]string{"thing1": "title"}}}
	withSettingsDeps(t, w, &cfg, nil)
	res := w.get(t, w.login(t, model.RoleAdmin), "/admin/settings")
	mustHave(t, res, http.StatusOK, "22:00-07:30", "每秒最多 20 条", "在配置文件中设置", `name="quiet_hours" value="22:00-07:30"`, `value="20"`,
		"wx123", "******", "CFG_MEETING", "thing1=title")
	mustLack(t, res, "app-secret-value", "token-value", "db-password")
	res = w.api(t, model.RoleAdmin, http.MethodGet, "/api/v1/settings", "", nil)
	if res.status != http.StatusOK || !strings.Contains(res.body, `"quiet_hours":"22:00-07:30"`) || strings.Contains(res.body, "secret-value") {
		t.Fatalf("api: %d %s", res.status, res.body)
	}
	mustHave(t, w.get(t, w.login(t, model.RoleAdmin), "/admin/"), http.StatusOK, `href="/admin/settings"`)
	mustLack(t, w.get(t, w.login(t, model.RoleStaff), "/admin/"), `href="/admin/settings"`)
}
