package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/handlers"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// concrete turns a route pattern into a path: ids are 1 (the spare
// account, the first deputy), files the stylesheet.
func concrete(pattern string) string {
	p := strings.NewReplacer("{id}", "1", "{file}", "admin.css", "{$}", "").Replace(pattern)
	return p
}

func routeRequest(t *testing.T, w *adminWorld, r handlers.RouteInfo) *http.Request {
	t.Helper()
	var body *strings.Reader
	if r.Method == http.MethodGet {
		body = strings.NewReader("")
	} else {
		body = strings.NewReader("x=1")
	}
	req, err := http.NewRequest(r.Method, w.srv.URL+concrete(r.Pattern), body)
	if err != nil {
		t.Fatal(err)
	}
	if r.Method != http.MethodGet {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req
}

func TestEveryRouteRefusesStrangersAndOtherRoles(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	w.deputy(t, "王芳", "13800000001")

	var public []string
	for _, r := range handlers.AdminRoutes() {
		if r.Public {
			public = append(public, r.Method+" "+r.Pattern)
		}
	}
	slices.Sort(public)
	wantPublic := []string{"GET /admin/login", "GET /admin/static/{file}", "POST /admin/login"}
	if !slices.Equal(public, wantPublic) {
		t.Fatalf("public console routes are %v, want only %v", public, wantPublic)
	}
	if len(handlers.APIRoutes()) == 0 {
		t.Fatal("no API routes")
	}

	for _, r := range handlers.AdminRoutes() {
		if r.Public {
			continue
		}
		t.Run("console "+r.Method+" "+r.Pattern, func(t *testing.T) {
			res := w.do(t, w.client(), routeRequest(t, w, r))
			if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/admin/login") {
				t.Fatalf("without a session: %d Location %q, want a redirect to the login page", res.status, res.header.Get("Location"))
			}
			for _, role := range core.Roles {
				res := w.do(t, w.login(t, role), routeRequest(t, w, r))
				allowed := slices.Contains(r.Roles, role)
				switch {
				case !allowed && res.status != http.StatusForbidden:
					t.Errorf("%s may not, yet got %d", role, res.status)
				case allowed && (res.status == http.StatusForbidden ||
					r.Pattern != "/admin/logout" && strings.HasPrefix(res.header.Get("Location"), "/admin/login")):
					t.Errorf("%s may, yet got %d %s", role, res.status, res.header.Get("Location"))
				}
			}
		})
	}
	for _, r := range handlers.APIRoutes() {
		t.Run("api "+r.Method+" "+r.Pattern, func(t *testing.T) {
			req := routeRequest(t, w, r)
			res := w.do(t, http.DefaultClient, req)
			if res.status != http.StatusUnauthorized || !strings.Contains(res.body, `"error"`) {
				t.Fatalf("without a token: %d %s", res.status, res.body)
			}
			req = routeRequest(t, w, r)
			req.Header.Set("Authorization", "Bearer dbt_NOTATOKEN")
			if res := w.do(t, http.DefaultClient, req); res.status != http.StatusUnauthorized {
				t.Fatalf("with a made-up token: %d", res.status)
			}
			for _, role := range core.Roles {
				req := routeRequest(t, w, r)
				req.Header.Set("Authorization", "Bearer "+w.tokens[role])
				res := w.do(t, http.DefaultClient, req)
				allowed := slices.Contains(r.Roles, role)
				if allowed == (res.status == http.StatusForbidden) || res.status == http.StatusUnauthorized {
					t.Errorf("%s (allowed %v) got %d %s", role, allowed, res.status, res.body)
				}
			}
		})
	}
}

// TestTheRoleMatrix states what each role may never do, whatever routes
// are added later.
func TestTheRoleMatrix(t *testing.T) {
	own := func(p string) bool {
		return p == "/admin/logout" || p == "/admin/password" || strings.HasPrefix(p, "/admin/tokens")
	}
	routes := append(handlers.AdminRoutes(), handlers.APIRoutes()...)
	for _, r := range routes {
		if r.Public {
			continue
		}
		may := func(role string) bool { return slices.Contains(r.Roles, role) }
		if !may(model.RoleAdmin) {
			t.Errorf("%s %s: an admin may do everything", r.Method, r.Pattern)
		}
		if may(model.RoleReadonly) && r.Method != http.MethodGet && !own(r.Pattern) {
			t.Errorf("%s %s: read-only accounts change nothing but their own password and tokens", r.Method, r.Pattern)
		}
		if may(model.RoleUnit) && strings.Contains(r.Pattern, "/deputies") {
			t.Errorf("%s %s: a handling unit does not see the registry", r.Method, r.Pattern)
		}
		if strings.Contains(r.Pattern, "/export") && may(model.RoleReadonly) {
			t.Errorf("%s %s: exports carry phone numbers; read-only accounts may not export", r.Method, r.Pattern)
		}
		if (strings.HasPrefix(r.Pattern, "/admin/accounts") || strings.HasPrefix(r.Pattern, "/admin/audit")) &&
			!slices.Equal(r.Roles, []string{model.RoleAdmin}) {
			t.Errorf("%s %s: accounts and the audit log are for admins only", r.Method, r.Pattern)
		}
	}
}

func TestLoginIsRateLimitedWithAClearLockMessage(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	c := w.client()
	wrong := url.Values{"username": {"u-staff"}, "password": {"wrong-password"}}
	for i := range 4 {
		res := w.postForm(t, c, "/admin/login", wrong)
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, "用户名或密码错误") {
			t.Fatalf("failure %d: %d", i+1, res.status)
		}
	}
	res := w.postForm(t, c, "/admin/login", wrong)
	// The clock stands at 09:00 Shanghai time: locked until 09:15.
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "账号已锁定，请于 09:15 后再试") {
		t.Fatalf("fifth failure: %d %s", res.status, res.body)
	}
	right := url.Values{"username": {"u-staff"}, "password": {testPassword}}
	if res := w.postForm(t, c, "/admin/login", right); res.status != http.StatusTooManyRequests {
		t.Fatalf("the right password while locked: %d", res.status)
	}
	w.clock.Advance(15 * time.Minute)
	if res := w.postForm(t, c, "/admin/login", right); res.status != http.StatusSeeOther {
		t.Fatalf("after 15 minutes: %d %s", res.status, res.body)
	}
	if strings.Contains(w.log.String(), testPassword) || strings.Contains(w.log.String(), "wrong-password") {
		t.Fatal("a password reached the log")
	}
}

func TestTheSessionCookieIsSecureHttpOnlyAndLax(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "https://console.example")
	res := w.postForm(t, w.client(), "/admin/login", url.Values{"username": {"u-admin"}, "password": {testPassword}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("login: %d", res.status)
	}
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == "deputybot_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/admin/" {
		t.Fatalf("session cookie %+v", cookie)
	}
	var stored int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM sessions WHERE token = ?`, cookie.Value).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("the cookie value is stored in clear (%d rows, %v)", stored, err)
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	c := w.login(t, model.RoleStaff)
	form := url.Values{"name": {"钓鱼"}, "level": {"provincial"}}
	for _, h := range []struct{ key, value string }{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/admin/deputies", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(h.key, h.value)
		if res := w.do(t, c, req); res.status != http.StatusForbidden || !strings.Contains(res.body, "提交被拒绝") {
			t.Fatalf("%s: %s gives %d", h.key, h.value, res.status)
		}
	}
	if total, _, _ := db.CountDeputies(t.Context()); total != 0 {
		t.Fatalf("a cross-origin post created %d deputies", total)
	}
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/admin/deputies", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if res := w.do(t, c, req); res.status != http.StatusSeeOther {
		t.Fatalf("a same-origin post gives %d %s", res.status, res.body)
	}
}

func TestSessionsEndWhenThePasswordChangesOrTheAccountIsDisabled(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	first, second := w.login(t, model.RoleStaff), w.login(t, model.RoleStaff)
	res := w.postForm(t, first, "/admin/password", url.Values{"current": {testPassword}, "password": {"another-long-one"}, "confirm": {"another-long-one"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("change password: %d %s", res.status, res.body)
	}
	if res := w.get(t, first, "/admin/"); res.status != http.StatusOK {
		t.Fatalf("the session that changed the password: %d", res.status)
	}
	if res := w.get(t, second, "/admin/"); res.status != http.StatusSeeOther {
		t.Fatalf("another session after the password changed: %d", res.status)
	}
	if err := db.SetAccountDisabled(t.Context(), w.accounts[model.RoleStaff].ID, true); err != nil {
		t.Fatal(err)
	}
	if res := w.get(t, first, "/admin/"); res.status != http.StatusSeeOther {
		t.Fatalf("a disabled account's session: %d", res.status)
	}
	if res := w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/me", "", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("a disabled account's token: %d", res.status)
	}
}

func TestAGeneratedPasswordMustBeChangedFirst(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	a, pw, err := w.staff.Create(t.Context(), core.NewAccount{Username: "new", Role: model.RoleStaff})
	if err != nil || !a.MustChangePassword {
		t.Fatal(err)
	}
	c := w.client()
	res := w.postForm(t, c, "/admin/login", url.Values{"username": {"new"}, "password": {pw}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/password" {
		t.Fatalf("login with a generated password: %d %s", res.status, res.header.Get("Location"))
	}
	if res := w.get(t, c, "/admin/deputies"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/password" {
		t.Fatalf("a page before changing it: %d %s", res.status, res.header.Get("Location"))
	}
	w.postForm(t, c, "/admin/password", url.Values{"current": {pw}, "password": {"my-own-secret-1"}, "confirm": {"my-own-secret-1"}})
	if res := w.get(t, c, "/admin/deputies"); res.status != http.StatusOK {
		t.Fatalf("after changing it: %d", res.status)
	}
}
