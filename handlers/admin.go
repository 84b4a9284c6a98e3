package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"deputybot/config"
	"deputybot/core"
	"deputybot/handlers/api"
	"deputybot/handlers/console"
	"deputybot/handlers/httpkit"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
)

// AdminDeps is what the staff console (/admin/) and the JSON API
// (/api/v1/) need. Services left nil are built over DB.
type AdminDeps struct {
	DB  *storage.DB
	Log *slog.Logger
	Loc *time.Location // times are shown in it; default Asia/Shanghai
	// PublicURL is the service's address as staff reach it (https://…):
	// session cookies are Secure when it is https, and its origin is
	// trusted for form posts.
	PublicURL string
	Now       func() time.Time // default time.Now

	Staff    *core.Staff
	Registry *core.Registry
	// Signer and Outbox are optional: features that need them are hidden
	// while they are nil.
	Signer *notify.Signer
	Outbox *notify.Outbox
	// Services are the use cases, built once by the caller; built over DB
	// when nil.
	Services *core.Services
	// Sessions is the console's session manager; built over DB when nil.
	Sessions *scs.SessionManager
	// Config is the configuration in force: the settings page shows it
	// (secrets masked) and its templates, menu and delivery apply where
	// nothing is saved; nil: none.
	Config *config.Config
	// MenuSync sends the custom menu to WeChat; nil: the server has no
	// WeChat client.
	MenuSync MenuSyncer
}

// Session lifetimes of the console.
const (
	SessionIdleTimeout = 30 * time.Minute
	SessionLifetime    = 12 * time.Hour
	sessionCookie      = "deputybot_session"
)

// The roles allowed on a route.
var (
	everyone = []string{model.RoleAdmin, model.RoleStaff, model.RoleUnit, model.RoleReadonly}
	viewers  = []string{model.RoleAdmin, model.RoleStaff, model.RoleReadonly} // deputy data
	editors  = []string{model.RoleAdmin, model.RoleStaff}                     // deputy work
	admins   = []string{model.RoleAdmin}                                      // accounts, audit log
)

// handlerFunc serves one action for the signed-in account me (the zero
// Account on public routes). A returned error is turned into a response in
// one place: an error page for the console, JSON for the API.
type handlerFunc func(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error

// route is one action: one file under handlers/ declares it from init.
type route struct {
	method, pattern string
	roles           []string // who may use it; nil with public
	public          bool     // served without a login (the login page)
	handle          handlerFunc
}

// RouteInfo describes a console or API route, for tests and docs.
type RouteInfo = httpkit.RouteInfo

var consoleRoutes, apiRoutes []route

// consoleRoute declares a console page or form action under /admin/.
func consoleRoute(method, pattern string, roles []string, h handlerFunc) {
	consoleRoutes = append(consoleRoutes, route{method: method, pattern: pattern, roles: roles, handle: h})
}

// publicConsoleRoute declares a console route served without a login.
func publicConsoleRoute(method, pattern string, h handlerFunc) {
	consoleRoutes = append(consoleRoutes, route{method: method, pattern: pattern, public: true, handle: h})
}

// apiRoute declares a JSON API route under /api/v1/.
func apiRoute(method, pattern string, roles []string, h handlerFunc) {
	apiRoutes = append(apiRoutes, route{method: method, pattern: pattern, roles: roles, handle: h})
}

func infos(rs []route) []RouteInfo {
	out := make([]RouteInfo, len(rs))
	for i, r := range rs {
		out[i] = RouteInfo{Method: r.method, Pattern: r.pattern, Roles: slices.Clone(r.roles), Public: r.public}
	}
	return out
}

// AdminRoutes lists every console route, including the public ones (the
// login page and the static assets).
func AdminRoutes() []RouteInfo {
	return append(append(console.Routes(), infos(consoleRoutes)...), RouteInfo{Method: http.MethodGet, Pattern: "/admin/static/{file}", Public: true})
}

// APIRoutes lists every JSON API route; none is public.
func APIRoutes() []RouteInfo { return append(api.Routes(), infos(apiRoutes)...) }

// server is the state the console and the API share.
type server struct {
	d        AdminDeps
	staff    *core.Staff
	registry *core.Registry
	sessions *scs.SessionManager
	secure   bool
	views    *views
}

func newServer(d AdminDeps) *server {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Loc == nil {
		d.Loc = shanghai()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	d.PublicURL = strings.TrimRight(d.PublicURL, "/")
	if d.Services == nil {
		d.Services = core.New(d.DB, core.Options{Now: d.Now, Loc: d.Loc})
	}
	if d.Outbox != nil {
		d.Services.Campaigns.UseTemplates(d.Outbox.Template)
	}
	if d.Staff == nil {
		d.Staff = d.Services.Staff
	}
	if d.Registry == nil {
		d.Registry = d.Services.Deputies
	}
	if d.Sessions == nil {
		d.Sessions = console.NewSessions(d.DB.Sessions(), d.PublicURL, d.Log)
	}
	return &server{d: d, staff: d.Staff, registry: d.Registry, sessions: d.Sessions, secure: strings.HasPrefix(d.PublicURL, "https://")}
}

// Admin returns the handler of the staff console, /admin/…: the console
// package's routes, with the routes not yet moved there served from this
// package inside the same session.
func Admin(d AdminDeps) http.Handler {
	s := newServer(d)
	s.views = loadViews(s)
	inner := http.NewServeMux()
	for _, rt := range consoleRoutes {
		inner.Handle(rt.method+" "+rt.pattern, s.page(rt))
	}
	inner.Handle("/admin/", s.page(route{roles: everyone, handle: func(s *server, w http.ResponseWriter, r *http.Request, _ model.Account) error {
		return model.ErrNotFound
	}}))
	inner.HandleFunc("GET /admin/static/{file}", s.views.serveStatic)
	return console.Handler(console.Deps{Services: s.d.Services, Log: s.d.Log, PublicURL: s.d.PublicURL,
		Sessions: s.sessions, Settings: s.settings(), Config: s.d.Config, Legacy: inner})
}

// API returns the handler of the JSON API, /api/v1/…: the api package's
// routes, with the routes not yet moved there served from this package.
func API(d AdminDeps) http.Handler {
	s := newServer(d)
	mux := http.NewServeMux()
	for _, rt := range apiRoutes {
		mux.Handle(rt.method+" "+rt.pattern, s.endpoint(rt))
	}
	mux.Handle("/api/v1/", s.endpoint(route{roles: everyone, handle: func(*server, http.ResponseWriter, *http.Request, model.Account) error {
		return model.ErrNotFound
	}}))
	return api.Handler(api.Deps{Services: s.d.Services, Log: s.d.Log, PublicURL: s.d.PublicURL, Legacy: mux, Settings: s.settings()})
}

func (s *server) settings() settingsSource {
	return settingsSource{cfg: s.d.Config, sync: s.d.MenuSync, outbox: s.d.Outbox}
}

func requestID(ctx context.Context) string { return httpkit.RequestID(ctx) }

func clientAddr(r *http.Request) string { return httpkit.ClientAddr(r) }

// page wraps a console route: it loads the signed-in account from the
// session, sends strangers to the login page, refuses other roles, and
// turns a returned error into an error page.
func (s *server) page(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var me model.Account
		if !rt.public {
			var ok bool
			var err error
			if me, ok, err = s.sessionAccount(r); err != nil {
				s.pageError(w, r, err)
				return
			} else if !ok {
				s.toLogin(w, r)
				return
			}
			if me.MustChangePassword && rt.pattern != passwordPath && rt.pattern != logoutPath {
				s.flash(r, "请先修改初始密码，再使用系统。")
				http.Redirect(w, r, passwordPath, http.StatusSeeOther)
				return
			}
			if !slices.Contains(rt.roles, me.Role) {
				s.errorPage(w, r, http.StatusForbidden, "无权访问", "您的账号（"+core.RoleLabel(me.Role)+"）不能使用此功能。如需权限，请联系管理员。")
				return
			}
		}
		if !httpkit.FormIsUTF8(r) {
			s.errorPage(w, r, http.StatusBadRequest, "无法处理", httpkit.InvalidUTF8)
			return
		}
		if err := rt.handle(s, w, r.WithContext(withAccount(r.Context(), me)), me); err != nil {
			s.pageError(w, r, err)
		}
	})
}

// Session keys.
const (
	sessAccount = "staff_id"
	sessStamp   = "stamp"
	sessFlash   = "flash"
)

// sessionAccount returns the account signed in on this session. A session
// of an account since disabled, or from before its password changed, is
// ended.
func (s *server) sessionAccount(r *http.Request) (model.Account, bool, error) {
	ctx := r.Context()
	id := s.sessions.GetInt64(ctx, sessAccount)
	if id == 0 {
		return model.Account{}, false, nil
	}
	a, err := s.staff.Get(ctx, id)
	if errors.Is(err, model.ErrNotFound) || (err == nil && (a.Disabled || core.SessionStamp(a) != s.sessions.GetString(ctx, sessStamp))) {
		return model.Account{}, false, s.sessions.Destroy(ctx)
	}
	if err != nil {
		return model.Account{}, false, err
	}
	return a, true, nil
}

// toLogin sends a stranger to the login page, back to where they were
// going afterwards when that was a page.
func (s *server) toLogin(w http.ResponseWriter, r *http.Request) {
	target := loginPath
	if r.Method == http.MethodGet {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// adminNext keeps a post-login redirect inside the console.
func adminNext(next string) string {
	if !strings.HasPrefix(next, "/admin/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/admin/"
	}
	return next
}

func (s *server) flash(r *http.Request, msg string) { s.sessions.Put(r.Context(), sessFlash, msg) }

func withAccount(ctx context.Context, a model.Account) context.Context {
	return httpkit.WithAccount(ctx, a)
}

// audit records a change by me; a failure to record is logged, not shown:
// the change itself has been made.
func (s *server) audit(r *http.Request, me model.Account, action, object, summary string) {
	if err := s.staff.Audit(r.Context(), me, action, object, summary); err != nil {
		s.d.Log.Error("admin: audit", "action", action, "err", err, "request_id", requestID(r.Context()))
	}
}

// canSeePhones reports whether the role sees deputies' phone numbers.
func canSeePhones(role string) bool { return role == model.RoleAdmin || role == model.RoleStaff }

func shanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}
