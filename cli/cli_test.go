package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// run executes the command line with only the given environment.
func run(t *testing.T, environ []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, &out, &errb, environ)
	return code, out.String(), errb.String()
}

func sqliteEnv(t *testing.T) []string {
	return []string{"DEPUTYBOT_DATABASE_DSN=" + filepath.Join(t.TempDir(), "db.sqlite"), "DEPUTYBOT_LOG_LEVEL=warn"}
}

func TestEveryCommandHasHelpWithAnExample(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := run(t, nil, append(strings.Fields(c.name), "--help")...)
			if code != exitOK || !strings.Contains(out+errs, "Example") {
				t.Fatalf("--help gave code %d and %q", code, out+errs)
			}
		})
	}
	if code, _, errs := run(t, nil, "frobnicate"); code != exitUsage || !strings.Contains(errs, "unknown command") {
		t.Fatalf("an unknown command gave %d %q", code, errs)
	}
}

func TestConfigCheck(t *testing.T) {
	code, out, _ := run(t, []string{"DEPUTYBOT_WECHAT_APP_SECRET=s3cret"}, "config", "check")
	if code != exitOK || strings.Contains(out, "s3cret") || !strings.Contains(out, "driver: sqlite") {
		t.Fatalf("valid config: code %d\n%s", code, out)
	}
	code, _, errs := run(t, []string{"DEPUTYBOT_DATABASE_DRIVER=oracle", "DEPUTYBOT_DELIVERY_RATE_PER_SECOND=0"}, "config", "check")
	if code != exitUsage || !strings.Contains(errs, "database.driver") || !strings.Contains(errs, "delivery.rate_per_second") {
		t.Fatalf("invalid config: code %d %q", code, errs)
	}
	code, _, errs = run(t, []string{"DEPUTYBOT_DATABASE_DRIVER=oracle"}, "serve")
	if code != exitUsage || !strings.Contains(errs, "database.driver") {
		t.Fatalf("serve with invalid config: code %d %q", code, errs)
	}
}

func TestAnUnreachableDatabaseIsExplainedWithTheDSNMasked(t *testing.T) {
	env := []string{"DEPUTYBOT_DATABASE_DRIVER=mysql", "DEPUTYBOT_DATABASE_DSN=bot:hunter2@tcp(127.0.0.1:1)/deputybot"}
	code, _, errs := run(t, env, "migrate")
	if code != exitFailure || strings.Contains(errs, "hunter2") || !strings.Contains(errs, "bot:******@tcp(127.0.0.1:1)") {
		t.Fatalf("code %d, stderr %q", code, errs)
	}
}

func TestImportExportAndBindingCommands(t *testing.T) {
	env := sqliteEnv(t)
	sample := filepath.Join("..", "testdata", "deputies-sample.xlsx")
	code, out, errs := run(t, env, "import", "deputies", sample)
	if code != exitOK || !strings.Contains(out, "20 created") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	if code, out, _ = run(t, env, "import", "deputies", sample); code != exitOK || !strings.Contains(out, "20 unchanged") {
		t.Fatalf("re-import: %d %q", code, out)
	}
	exported := filepath.Join(t.TempDir(), "out.xlsx")
	if code, out, errs = run(t, env, "export", "deputies", exported); code != exitOK || !strings.Contains(out, "exported 20") {
		t.Fatalf("export: %d %q %q", code, out, errs)
	}
	if code, out, _ = run(t, env, "import", "deputies", exported); code != exitOK || !strings.Contains(out, "20 unchanged") {
		t.Fatalf("export then import does not round-trip: %d %q", code, out)
	}
	bad := filepath.Join("..", "testdata", "deputies-bad-phones.xlsx")
	if code, _, errs = run(t, env, "import", "deputies", bad); code != exitFailure || !regexp.MustCompile(`第\d+行 手机号`).MatchString(errs) {
		t.Fatalf("bad import: %d %q", code, errs)
	}
	notExcel := filepath.Join(t.TempDir(), "notes.xlsx")
	if err := os.WriteFile(notExcel, []byte("not a spreadsheet"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs = run(t, env, "import", "deputies", notExcel); code != exitFailure || !strings.Contains(errs, "notes.xlsx") {
		t.Fatalf("corrupt file: %d %q", code, errs)
	}
	if code, out, errs = run(t, env, "deputies", "bind-code", "1"); code != exitOK || !regexp.MustCompile(`: \d{6}\n`).MatchString(out) {
		t.Fatalf("bind-code: %d %q %q", code, out, errs)
	}
	if code, _, errs = run(t, env, "deputies", "unbind", "1"); code != exitFailure || !strings.Contains(errs, "not bound") {
		t.Fatalf("unbind of an unbound deputy: %d %q", code, errs)
	}
	if code, _, errs = run(t, env, "deputies", "bind-code", "无此人"); code != exitFailure || !strings.Contains(errs, "no deputy") {
		t.Fatalf("bind-code of nobody: %d %q", code, errs)
	}
}

// serveUntilHealthy starts serve, waits for /healthz, then stops it the way
// Ctrl-C does and checks it exits cleanly.
func serveUntilHealthy(t *testing.T, env []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve"}, &out, &errb, append(env, "DEPUTYBOT_HTTP_ADDR=127.0.0.1:0"))
	}()
	addr := regexp.MustCompile(`running at (http://\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	var base string
	for base == "" {
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, errb.String())
		default:
		}
		if m := addr.FindStringSubmatch(errb.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", errb.String())
		} else {
			<-time.After(10 * time.Millisecond)
		}
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz answered %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("serve exited with %d: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15 s")
	}
}

func TestServeStartsAndStopsOnSQLiteAndMariaDB(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { serveUntilHealthy(t, sqliteEnv(t)) })
	t.Run("mysql", func(t *testing.T) {
		dsn := storagetest.NewMySQLDatabase(t)
		serveUntilHealthy(t, []string{"DEPUTYBOT_DATABASE_DRIVER=mysql", "DEPUTYBOT_DATABASE_DSN=" + dsn, "DEPUTYBOT_LOG_LEVEL=warn"})
	})
}

func TestMenuSyncSendsTheMenuToWeChat(t *testing.T) {
	sim := wechatsim.New(wechatsim.Config{AppID: "wxmenutest", AppSecret: "sec", Token: "tok"})
	defer sim.Close()
	api := httptest.NewServer(sim.Handler())
	defer api.Close()
	env := append(sqliteEnv(t), "DEPUTYBOT_WECHAT_APP_ID=wxmenutest", "DEPUTYBOT_WECHAT_APP_SECRET=sec",
		"DEPUTYBOT_WECHAT_TOKEN=tok", "DEPUTYBOT_WECHAT_API_BASE="+api.URL)
	code, out, errs := run(t, env, "menu", "sync")
	if code != exitOK || !strings.Contains(out, "WeChat answered") {
		t.Fatalf("menu sync: %d %q %q", code, out, errs)
	}
	menu := sim.Menu()
	if len(menu) != 3 || menu[0].Name != "学习材料" || len(menu[2].SubButton) != 4 || menu[2].SubButton[1].Name != "提建议" {
		t.Fatalf("the platform has menu %+v", menu)
	}
	if code, _, errs = run(t, sqliteEnv(t), "menu", "sync"); code != exitUsage || !strings.Contains(errs, "simulator") {
		t.Fatalf("menu sync without an account: %d %q", code, errs)
	}
}
