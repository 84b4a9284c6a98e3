package handlers

import (
	"log/slog"
	"net/http"

	"github.com/alexedwards/scs/v2"

	"deputybot/config"
	"deputybot/core"
	"deputybot/handlers/api"
	"deputybot/handlers/console"
	"deputybot/handlers/httpkit"
	"deputybot/notify"
)

// AdminDeps is what the staff console (/admin/) and the JSON API
// (/api/v1/) need.
type AdminDeps struct {
	// Services are the use cases, built once by the caller.
	Services *core.Services
	// SessionStore keeps the console's sessions where every instance
	// reads them (storage.DB's Sessions); used when Sessions is nil.
	SessionStore scs.Store
	// Sessions is the console's session manager; built over SessionStore
	// when nil.
	Sessions *scs.SessionManager
	Log      *slog.Logger
	// PublicURL is the service's address as staff reach it (https://…):
	// session cookies are Secure when it is https, and its origin is
	// trusted for form posts.
	PublicURL string
	// Outbox is this instance's outbox, which takes a settings change at
	// once; nil: none.
	Outbox *notify.Outbox
	// Config is the configuration in force: the settings page shows it
	// (secrets masked) and its templates, menu and delivery apply where
	// nothing is saved; nil: none.
	Config *config.Config
	// MenuSync sends the custom menu to WeChat; nil: the server has no
	// WeChat client.
	MenuSync MenuSyncer
}

// RouteInfo describes a console or API route, for tests and docs.
type RouteInfo = httpkit.RouteInfo

// AdminRoutes lists every console route, including the public ones (the
// login page and the static assets).
func AdminRoutes() []RouteInfo {
	return append(console.Routes(), RouteInfo{Method: http.MethodGet, Pattern: "/admin/static/{file}", Public: true})
}

// APIRoutes lists every JSON API route; none is public.
func APIRoutes() []RouteInfo { return api.Routes() }

func (d AdminDeps) settings() settingsSource {
	return settingsSource{cfg: d.Config, sync: d.MenuSync, outbox: d.Outbox}
}

// Admin returns the handler of the staff console, /admin/….
func Admin(d AdminDeps) http.Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Sessions == nil {
		d.Sessions = console.NewSessions(d.SessionStore, d.PublicURL, d.Log)
	}
	return console.Handler(console.Deps{Services: d.Services, Log: d.Log, PublicURL: d.PublicURL, Sessions: d.Sessions,
		Settings: d.settings(), Config: d.Config})
}

// API returns the handler of the JSON API, /api/v1/….
func API(d AdminDeps) http.Handler {
	return api.Handler(api.Deps{Services: d.Services, Log: d.Log, PublicURL: d.PublicURL, Settings: d.settings()})
}
