package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"deputybot/config"
	"deputybot/core"
	"deputybot/handlers"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/testkit"
)

// adminWorld is a database with one account per role (and a spare
// account, id 1, with token 1, for routes that act on an account or a
// token), the console and the
// API mounted as the server mounts them.
type adminWorld struct {
	db       *storage.DB
	clock    *testkit.Clock
	staff    *core.Staff
	svc      *core.Services // the server's use cases
	srv      *httptest.Server
	log      *testkit.LogBuffer
	accounts map[string]model.Account // by role
	tokens   map[string]string        // an API token per role
	public   string
	deps     handlers.AdminDeps
	logger   *slog.Logger
	handler  atomic.Pointer[http.Handler] // what srv serves (useSettings replaces it)
}

const testPassword = "correct-horse-battery"

// newAdminWorld starts the server; public is the configured public URL
// ("" for the test server's own).
func newAdminWorld(t *testing.T, db *storage.DB, public string) *adminWorld {
	t.Helper()
	ctx := context.Background()
	w := &adminWorld{db: db, clock: testkit.NewClock(), log: &testkit.LogBuffer{}, accounts: map[string]model.Account{}, tokens: map[string]string{}}
	db.SetClock(w.clock.Now)
	w.staff = core.NewStaff(db)
	w.staff.Now, w.staff.HashCost = w.clock.Now, bcrypt.MinCost
	spare, _, err := w.staff.Create(ctx, core.NewAccount{Username: "spare", Role: model.RoleStaff, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.staff.CreateToken(ctx, spare, "备用"); err != nil {
		t.Fatal(err)
	}
	for _, role := range core.Roles {
		a, _, err := w.staff.Create(ctx, core.NewAccount{Username: "u-" + role, Name: core.RoleLabel(role), Role: role,
			Unit: "省交通运输厅", Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		w.accounts[role] = a
		if w.tokens[role], _, err = w.staff.CreateToken(ctx, a, "测试"); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(w.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w.srv = httptest.NewUnstartedServer(nil)
	w.public = public
	if w.public == "" {
		w.public = "http://" + w.srv.Listener.Addr().String()
	}
	w.svc = core.New(db, core.Options{Now: w.clock.Now})
	w.deps, w.logger = handlers.AdminDeps{SessionStore: db.Sessions(), Log: log, PublicURL: w.public, Services: w.svc}, log
	w.useSettings(nil, nil)
	w.srv.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { (*w.handler.Load()).ServeHTTP(rw, r) })
	w.srv.Start()
	t.Cleanup(w.srv.Close)
	return w
}

// useSettings mounts the console and the API again with the settings
// page's dependencies: the configuration and WeChat's menu sync (either
// may be nil). Sessions live in the database, so clients stay signed in.
func (w *adminWorld) useSettings(cfg *config.Config, sync handlers.MenuSyncer) {
	d := w.deps
	d.Config, d.MenuSync = cfg, sync
	var h http.Handler = handlers.New(handlers.Deps{Log: w.logger, DB: w.db, Admin: handlers.Admin(d), API: handlers.API(d)})
	w.handler.Store(&h)
}

// client returns a cookie-keeping client that does not follow redirects.
func (w *adminWorld) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login signs in as the account of role and returns its client.
func (w *adminWorld) login(t *testing.T, role string) *http.Client {
	t.Helper()
	c := w.client()
	resp := w.postForm(t, c, "/admin/login", url.Values{"username": {"u-" + role}, "password": {testPassword}})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("login as %s: %d %s", role, resp.status, resp.body)
	}
	return c
}

type result struct {
	status int
	header http.Header
	body   string
}

func (w *adminWorld) do(t *testing.T, c *http.Client, req *http.Request) result {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b)}
}

func (w *adminWorld) get(t *testing.T, c *http.Client, path string) result {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.srv.URL+path, nil)
	return w.do(t, c, req)
}

func (w *adminWorld) postForm(t *testing.T, c *http.Client, path string, form url.Values) result {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.do(t, c, req)
}

// api calls the JSON API with role's token ("" for none).
func (w *adminWorld) api(t *testing.T, role, method, path, contentType string, body io.Reader) result {
	t.Helper()
	req, _ := http.NewRequest(method, w.srv.URL+path, body)
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+w.tokens[role])
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return w.do(t, http.DefaultClient, req)
}

func (w *adminWorld) deputy(t *testing.T, name, phone string) model.Deputy {
	t.Helper()
	d := model.Deputy{Name: name, Delegation: "济南市代表团", Phone: phone, Level: model.LevelProvincial, Tags: []string{"教育"}}
	if err := core.NewRegistry(w.db).Create(context.Background(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func (w *adminWorld) auditActions(t *testing.T) map[string]int {
	t.Helper()
	es, _, err := w.db.ListAudit(context.Background(), model.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range es {
		out[e.Action]++
	}
	return out
}
