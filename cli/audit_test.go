package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/handlers"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/wechatsim"
)

// auditViaAPI reads the audit log the way an integration would: GET
// /api/v1/audit with an administrator's token made by `token create`.
func auditViaAPI(t *testing.T, env []string, db *storage.DB, admin string) []map[string]any {
	t.Helper()
	code, out, errs := run(t, env, "token", "create", admin, "--name", "审计")
	token := regexp.MustCompile(`dbt_[A-Z2-7]{26}`).FindString(out)
	if code != exitOK || token == "" {
		t.Fatalf("token create: %d %q %q", code, out, errs)
	}
	api := httptest.NewServer(handlers.API(handlers.AdminDeps{SessionStore: db.Sessions(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Services: core.New(db, core.Options{})}))
	defer api.Close()
	req, _ := http.NewRequest(http.MethodGet, api.URL+"/api/v1/audit?per_page=100", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Entries []map[string]any `json:"entries"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/audit: %d %v", resp.StatusCode, err)
	}
	return page.Entries
}

// TestCommandsThatChangeThingsAreAuditedAsTheirOperator runs each command
// the console has a twin of and reads its audit entry back through the
// API: named after the --as account, or the operating-system user.
func TestCommandsThatChangeThingsAreAuditedAsTheirOperator(t *testing.T) {
	sim := wechatsim.New(wechatsim.Config{AppID: "wxaudit", AppSecret: "sec", Token: "tok"})
	defer sim.Close()
	wx := httptest.NewServer(sim.Handler())
	defer wx.Close()
	env := append(sqliteEnv(t), "USER=ops-alice", "DEPUTYBOT_WECHAT_APP_ID=wxaudit", "DEPUTYBOT_WECHAT_APP_SECRET=sec",
		"DEPUTYBOT_WECHAT_TOKEN=tok", "DEPUTYBOT_WECHAT_API_BASE="+wx.URL)
	mustRun := func(args ...string) string {
		t.Helper()
		code, out, errs := run(t, env, args...)
		if code != exitOK {
			t.Fatalf("%v: %d %q %q", args, code, out, errs)
		}
		return out
	}
	mustRun("user", "add", "chief", "--role", "admin", "--name", "王主任")
	mustRun("user", "add", "reader", "--role", "readonly", "--name", "只读员")
	sample := filepath.Join("..", "testdata", "deputies-sample.xlsx")
	mustRun("import", "deputies", sample)

	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite", strings.TrimPrefix(env[0], "DEPUTYBOT_DATABASE_DSN="))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(action string) int {
		t.Helper()
		_, n, err := db.ListAudit(ctx, model.AuditFilter{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("an account that may not, or none, is refused and nothing is written", func(t *testing.T) {
		if code, _, errs := run(t, env, "import", "deputies", sample, "--as", "reader"); code != exitFailure || !strings.Contains(errs, "只读") {
			t.Fatalf("import as a read-only account: %d %q", code, errs)
		}
		if code, _, errs := run(t, env, "deputies", "unbind", "1", "--as", "nobody"); code != exitUsage || !strings.Contains(errs, "no such account") {
			t.Fatalf("--as nobody: %d %q", code, errs)
		}
		if n := count("deputy.import"); n != 1 {
			t.Fatalf("%d import entries, want the first import's only", n)
		}
	})

	if err := db.BindDeputy(ctx, 1, "o-1"); err != nil {
		t.Fatal(err)
	}
	mustRun("deputies", "unbind", "1", "--as", "chief")
	at := time.Now().Add(48 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")
	id := regexp.MustCompile(`campaign (\d+) created`).FindStringSubmatch(mustRun("campaign", "send", "--all", "--title", "接待日", "--at", at))[1]
	mustRun("campaign", "pause", id)
	mustRun("campaign", "cancel", id, "--yes", "--as", "chief")
	mustRun("menu", "sync")
	if len(sim.Menu()) != 3 {
		t.Fatalf("WeChat has menu %+v", sim.Menu())
	}

	entries := auditViaAPI(t, env, db, "chief")
	want := []struct{ action, object, who, summary string }{
		{"deputy.import", "deputies", "命令行（ops-alice）", "deputies-sample.xlsx：共 20 行，新增 20"},
		{"deputy.unbind", "deputy/1", "王主任", "的微信绑定"},
		{"campaign.pause", "campaign/" + id, "命令行（ops-alice）", "暂停通知“接待日”（原状态：待发送）"},
		{"campaign.cancel", "campaign/" + id, "王主任", "取消通知“接待日”（原状态：已暂停）"},
		{"settings.menu_sync", "settings/menu", "命令行（ops-alice）", "同步菜单到微信：{\"button\""},
	}
	for _, w := range want {
		t.Run(w.action+" names its operator", func(t *testing.T) {
			var found []map[string]any
			for _, e := range entries {
				if e["action"] == w.action {
					found = append(found, e)
				}
			}
			if len(found) != 1 {
				t.Fatalf("%d %s entries in %v", len(found), w.action, entries)
			}
			e := found[0]
			if e["object"] != w.object || e["staff_name"] != w.who || !strings.Contains(fmt.Sprint(e["summary"]), w.summary) {
				t.Fatalf("entry %v, want %+v", e, w)
			}
		})
	}
}
