// Package console is the staff console, /admin/…: pages behind a session
// login, by role. Every handler decodes a form or a query, calls one core
// method with the signed-in account as the actor, and renders a page or
// redirects; the routes are listed in one place, routes().
package console

import (
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"deputybot/config"
	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// Deps is what the console needs.
type Deps struct {
	Services *core.Services
	Log      *slog.Logger
	// PublicURL is the service's address as staff reach it (https://…):
	// session cookies are Secure when it is https, and its origin is
	// trusted for form posts.
	PublicURL string
	// Sessions is the session manager (see NewSessions).
	Sessions *scs.SessionManager
	// Settings gives the settings page the configuration file's values,
	// WeChat's menu endpoint and the outbox; nil: none of them.
	Settings httpkit.SettingsSource
	// Config is the configuration in force, shown on the settings page
	// with its secrets masked; nil: not shown.
	Config *config.Config
}

// Session lifetimes of the console.
const (
	SessionIdleTimeout = 30 * time.Minute
	SessionLifetime    = 12 * time.Hour
	sessionCookie      = "deputybot_session"
)

// NewSessions returns the console's session manager over store (nil: in
// memory, for one instance): cookies for /admin/ only, HttpOnly,
// SameSite=Lax, Secure behind https, tokens hashed in the store.
func NewSessions(store scs.Store, publicURL string, log *slog.Logger) *scs.SessionManager {
	sm := scs.New()
	if store != nil {
		sm.Store = store
	}
	sm.IdleTimeout, sm.Lifetime = SessionIdleTimeout, SessionLifetime
	sm.HashTokenInStore = true // a leaked table holds no usable cookie
	sm.Cookie.Name = sessionCookie
	sm.Cookie.Path = "/admin/"
	sm.Cookie.HttpOnly, sm.Cookie.Secure, sm.Cookie.SameSite = true, strings.HasPrefix(publicURL, "https://"), http.SameSiteLaxMode
	sm.Cookie.Persist = false // ends with the browser too
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		log.Error("console: session", "err", err, "request_id", httpkit.RequestID(r.Context()))
		http.Error(w, "系统繁忙，请稍后再试", http.StatusInternalServerError)
	}
	return sm
}

// handlerFunc serves one action for the actor signed in (the zero actor on
// public routes). A returned error becomes an error page in one place.
type handlerFunc func(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error

// route is one console action.
type route struct {
	method, pattern string
	roles           []string // who may use it; nil with public
	public          bool     // served without a login
	handle          handlerFunc
}

// routes lists every console route of this package, by section.
func routes() []route {
	return []route{
		// Signing in and out, one's own password.
		{"GET", loginPath, nil, true, loginForm},
		{"POST", loginPath, nil, true, login},
		{"POST", logoutPath, core.Everyone, false, logout},
		{"GET", passwordPath, core.Everyone, false, passwordForm},
		{"POST", passwordPath, core.Everyone, false, changePassword},

		// Deputies, binding codes, accounts, tokens and the audit log.
		{"GET", "/admin/deputies", core.Viewers, false, deputiesList},
		{"GET", "/admin/deputies/new", core.Editors, false, deputyNew},
		{"POST", "/admin/deputies", core.Editors, false, deputyCreate},
		{"GET", "/admin/deputies/export", core.Editors, false, deputiesExport},
		{"GET", "/admin/deputies/import", core.Editors, false, deputyImportForm},
		{"POST", "/admin/deputies/import", core.Editors, false, deputyImport},
		{"POST", "/admin/deputies/import/preview", core.Editors, false, deputyImportPreview},
		{"GET", "/admin/import-templates/{kind}", core.Editors, false, importTemplate},
		{"GET", "/admin/deputies/{id}", core.Viewers, false, deputyShow},
		{"GET", "/admin/deputies/{id}/edit", core.Editors, false, deputyEdit},
		{"POST", "/admin/deputies/{id}", core.Editors, false, deputyUpdate},
		{"GET", "/admin/deputies/{id}/terminate", core.Editors, false, deputyTerminateForm},
		{"POST", "/admin/deputies/{id}/terminate", core.Editors, false, deputyTerminate},
		{"POST", "/admin/deputies/{id}/bind-code", core.Editors, false, deputyBindCode},
		{"GET", "/admin/deputies/{id}/unbind", core.Editors, false, deputyUnbindForm},
		{"POST", "/admin/deputies/{id}/unbind", core.Editors, false, deputyUnbind},
		{"GET", "/admin/accounts", core.Admins, false, accountsList},
		{"GET", "/admin/accounts/export", core.Admins, false, accountsExport},
		{"POST", "/admin/accounts", core.Admins, false, accountCreate},
		{"POST", "/admin/accounts/{id}/password", core.Admins, false, accountResetPassword},
		{"POST", "/admin/accounts/{id}/disable", core.Admins, false, accountSetDisabled(true)},
		{"POST", "/admin/accounts/{id}/enable", core.Admins, false, accountSetDisabled(false)},
		{"POST", "/admin/accounts/{id}/wechat/unbind", core.Admins, false, accountWeChatUnbind},
		{"GET", "/admin/audit", core.Admins, false, auditList},
		{"GET", "/admin/audit/export", core.Admins, false, auditExport},
		{"GET", "/admin/tokens", core.Everyone, false, tokensList},
		{"GET", "/admin/tokens/export", core.StepRecorders, false, tokensExport},
		{"POST", "/admin/tokens", core.Everyone, false, tokenCreate},
		{"POST", "/admin/tokens/{id}/revoke", core.Everyone, false, tokenRevoke},
		{"GET", "/admin/wechat", core.StepRecorders, false, wechatPage},
		{"POST", "/admin/wechat/bind-code", core.StepRecorders, false, wechatBindCode},
		{"POST", "/admin/wechat/unbind", core.StepRecorders, false, wechatUnbind},

		// Campaigns, notices, settings, series and the dashboard.
		{"GET", "/admin/{$}", core.Everyone, false, dashboard},
		{"GET", "/admin/campaigns", core.Viewers, false, campaignsList},
		{"GET", "/admin/campaigns/export", core.Editors, false, campaignsExport},
		{"GET", "/admin/campaigns/new", core.Editors, false, campaignNew},
		{"POST", "/admin/campaigns", core.Editors, false, campaignCreate},
		{"GET", "/admin/campaigns/{id}", core.Viewers, false, campaignShow},
		{"GET", "/admin/campaigns/{id}/export", core.Editors, false, campaignExport},
		{"GET", "/admin/campaigns/{id}/progress", core.Viewers, false, campaignProgress},
		{"POST", "/admin/campaigns/{id}/pause", core.Editors, false, campaignPause},
		{"POST", "/admin/campaigns/{id}/resume", core.Editors, false, campaignResume},
		{"GET", "/admin/campaigns/{id}/cancel", core.Editors, false, campaignCancelForm},
		{"POST", "/admin/campaigns/{id}/cancel", core.Editors, false, campaignCancel},
		{"GET", "/admin/audience/count", core.Editors, false, audienceCount},
		{"GET", "/admin/settings", core.Admins, false, settingsShow},
		{"POST", "/admin/settings/templates", core.Admins, false, settingsSaveTemplates},
		{"POST", "/admin/settings/template", core.Admins, false, settingsSaveTemplate},
		{"POST", "/admin/settings/menu", core.Admins, false, settingsSaveMenu},
		{"POST", "/admin/settings/menu/reset", core.Admins, false, settingsResetMenu},
		{"POST", "/admin/settings/menu/sync", core.Admins, false, settingsSyncMenu},
		{"POST", "/admin/settings/delivery", core.Admins, false, settingsSaveDelivery},
		{"POST", "/admin/settings/delivery/reset", core.Admins, false, settingsResetDelivery},
		{"GET", "/admin/series", core.Editors, false, seriesList},
		{"GET", "/admin/series/new", core.Editors, false, seriesNew},
		{"GET", "/admin/series/export", core.Editors, false, seriesExport},
		{"POST", "/admin/series", core.Editors, false, seriesCreate},
		{"POST", "/admin/series/{id}/activate", core.Editors, false, seriesActivate},
		{"POST", "/admin/series/{id}/deactivate", core.Editors, false, seriesDeactivate},

		// Meetings, sit-in (列席) and performance records (履职).
		{"GET", "/admin/meetings", core.Viewers, false, meetingsList},
		{"GET", "/admin/meetings/export", core.Editors, false, meetingsExport},
		{"GET", "/admin/meetings/new", core.Editors, false, meetingNew},
		{"POST", "/admin/meetings", core.Editors, false, meetingCreate},
		{"GET", "/admin/meetings/{id}", core.Viewers, false, meetingShow},
		{"GET", "/admin/meetings/{id}/invite", core.Editors, false, meetingInviteForm},
		{"POST", "/admin/meetings/{id}/invite", core.Editors, false, meetingInvite},
		{"POST", "/admin/meetings/{id}/remind", core.Editors, false, meetingRemind},
		{"POST", "/admin/meetings/{id}/attendance", core.Editors, false, meetingAttendance},
		{"GET", "/admin/meetings/{id}/export", core.Editors, false, meetingExport},
		{"POST", "/admin/meetings/{id}/signup", core.Editors, false, meetingSignup},
		{"GET", "/admin/meetings/{id}/sitin", core.Editors, false, sitInForm},
		{"POST", "/admin/meetings/{id}/sitin", core.Editors, false, sitInInvite},
		{"GET", "/admin/sitin/coverage", core.Viewers, false, sitInCoverage},
		{"GET", "/admin/deputies/{id}/record", core.Viewers, false, deputyRecord},
		{"GET", "/admin/records/review", core.Editors, false, recordReviewQueue},
		{"POST", "/admin/records/{id}/review", core.Editors, false, recordReview},
		{"GET", "/admin/records/report", core.Viewers, false, recordReport},
		{"GET", "/admin/records/report.xlsx", core.Editors, false, recordReportXLSX},
		{"GET", "/admin/records/rules", core.Viewers, false, recordRulesShow},
		{"POST", "/admin/records/rules", core.Admins, false, recordRulesSave},

		// Suggestions, supervision (督办), rates and reports.
		{"GET", "/admin/suggestions", core.Everyone, false, suggestionsList},
		{"GET", "/admin/suggestions/new", core.Editors, false, suggestionNew},
		{"POST", "/admin/suggestions", core.Editors, false, suggestionCreate},
		{"GET", "/admin/suggestions/export", core.StepRecorders, false, suggestionsExport},
		{"GET", "/admin/suggestions/import", core.Editors, false, suggestionImportForm},
		{"POST", "/admin/suggestions/import", core.Editors, false, suggestionImport},
		{"GET", "/admin/suggestions/rates", core.Everyone, false, ratesPage},
		{"GET", "/admin/suggestions/review", core.Viewers, false, suggestionsReview},
		{"GET", "/admin/suggestions/{id}/review", core.Viewers, false, suggestionReviewPage},
		{"POST", "/admin/suggestions/{id}/review", core.Editors, false, suggestionReviewPost},
		{"GET", "/admin/suggestions/{id}", core.Everyone, false, suggestionShow},
		{"POST", "/admin/suggestions/{id}/steps", core.StepRecorders, false, suggestionStep},
		{"GET", "/admin/supervision", core.Everyone, false, supervisionPage},
		{"POST", "/admin/supervision/suggestions/{id}/extensions", core.StepRecorders, false, extensionRequest},
		{"POST", "/admin/supervision/extensions/{id}/decide", core.Editors, false, extensionDecide},
		{"POST", "/admin/supervision/suggestions/{id}/promise", core.Editors, false, promiseSet},
		{"GET", "/admin/reports", core.Viewers, false, reportsPage},
		{"GET", "/admin/reports/export", core.Editors, false, reportsExport},

		// Opinions, solicitations, adoption, surveys, study materials and 双联系.
		{"GET", "/admin/opinions", core.Viewers, false, opinionsList},
		{"GET", "/admin/opinions/export", core.Editors, false, opinionsExport},
		{"GET", "/admin/opinions/{id}", core.Viewers, false, opinionShow},
		{"POST", "/admin/opinions/{id}/assign", core.Editors, false, opinionAssign},
		{"POST", "/admin/opinions/{id}/reply", core.Editors, false, opinionReply},
		{"POST", "/admin/opinions/{id}/close", core.Editors, false, opinionClose},
		{"POST", "/admin/opinions/{id}/adopt", core.Editors, false, opinionAdopt},
		{"GET", "/admin/surveys", core.Viewers, false, surveysList},
		{"GET", "/admin/surveys/new", core.Editors, false, surveyNew},
		{"POST", "/admin/surveys", core.Editors, false, surveyCreate},
		{"GET", "/admin/surveys/{id}", core.Viewers, false, surveyResults},
		{"GET", "/admin/surveys/{id}/export", core.Editors, false, surveyExport},
		{"GET", "/admin/solicitations", core.Viewers, false, solicitationsList},
		{"GET", "/admin/solicitations/new", core.Editors, false, solicitationNew},
		{"GET", "/admin/solicitations/export", core.Editors, false, solicitationsExport},
		{"POST", "/admin/solicitations", core.Editors, false, solicitationCreate},
		{"GET", "/admin/solicitations/{id}", core.Viewers, false, solicitationShow},
		{"GET", "/admin/solicitations/{id}/articles", core.Editors, false, solicitationArticlesForm},
		{"POST", "/admin/solicitations/{id}/articles", core.Editors, false, solicitationArticlesSave},
		{"GET", "/admin/solicitations/{id}/export", core.Editors, false, solicitationExport},
		{"GET", "/admin/materials", core.Viewers, false, materialsList},
		{"GET", "/admin/materials/new", core.Editors, false, materialNew},
		{"POST", "/admin/materials", core.Editors, false, materialCreate},
		{"GET", "/admin/materials/categories", core.Editors, false, materialCategoriesForm},
		{"POST", "/admin/materials/categories", core.Editors, false, materialCategoriesSave},
		{"GET", "/admin/materials/{id}", core.Viewers, false, materialShow},
		{"GET", "/admin/materials/{id}/edit", core.Editors, false, materialEdit},
		{"POST", "/admin/materials/{id}", core.Editors, false, materialUpdate},
		{"GET", "/admin/materials/{id}/publish", core.Editors, false, materialPublishForm},
		{"POST", "/admin/materials/{id}/publish", core.Editors, false, materialPublish},
		{"POST", "/admin/materials/{id}/archive", core.Editors, false, materialArchive},
		{"GET", "/admin/files/{id}", core.Everyone, false, fileDownload},
		{"GET", "/admin/courses", core.Viewers, false, coursesList},
		{"GET", "/admin/courses/new", core.Editors, false, courseNew},
		{"POST", "/admin/courses/settings", core.Editors, false, courseSettingsSave},
		{"POST", "/admin/courses", core.Editors, false, courseCreate},
		{"GET", "/admin/courses/{id}", core.Viewers, false, courseShow},
		{"GET", "/admin/courses/{id}/edit", core.Editors, false, courseEdit},
		{"POST", "/admin/courses/{id}", core.Editors, false, courseUpdate},
		{"POST", "/admin/courses/{id}/publish", core.Editors, false, coursePublish},
		{"POST", "/admin/courses/{id}/archive", core.Editors, false, courseArchive},
		{"POST", "/admin/courses/{id}/remind", core.Editors, false, courseRemind},
		{"GET", "/admin/courses/{id}/progress.xlsx", core.Editors, false, courseExport},

		{"GET", "/admin/liaison", core.Editors, false, liaisonList},
		{"POST", "/admin/liaison", core.Editors, false, liaisonCreate},
		{"GET", "/admin/liaison/export", core.Editors, false, liaisonExport},
		{"GET", "/admin/liaison/leaders", core.Editors, false, leadersList},
		{"POST", "/admin/liaison/leaders", core.Editors, false, leaderCreate},
		{"GET", "/admin/liaison/leaders/{id}", core.Editors, false, leaderShow},
		{"POST", "/admin/liaison/leaders/{id}/activities", core.Editors, false, leaderActivity},
		{"GET", "/admin/liaison/{id}", core.Editors, false, liaisonShow},
		{"POST", "/admin/liaison/{id}/links", core.Editors, false, liaisonLink},
		{"POST", "/admin/liaison/{id}/contacts", core.Editors, false, liaisonContact},
		{"POST", "/admin/liaison/{id}/bind-code", core.Editors, false, liaisonBindCode},
		{"POST", "/admin/liaison/{id}/deputy", core.Editors, false, liaisonMemberDeputy},
		{"POST", "/admin/liaison/{id}/unbind", core.Editors, false, liaisonUnbind},

		// Liaison stations (代表联络站) and the public's opinions (群众意见).
		{"GET", "/admin/stations", core.Viewers, false, stationsList},
		{"GET", "/admin/stations/new", core.Editors, false, stationNew},
		{"POST", "/admin/stations", core.Editors, false, stationCreate},
		{"POST", "/admin/stations/import", core.Editors, false, stationsImport},
		{"GET", "/admin/stations/{id}", core.Viewers, false, stationShow},
		{"GET", "/admin/stations/{id}/edit", core.Editors, false, stationEdit},
		{"POST", "/admin/stations/{id}", core.Editors, false, stationUpdate},
		{"GET", "/admin/stations/{id}/qr.png", core.Viewers, false, stationQR},
		{"POST", "/admin/stations/{id}/receptions", core.Editors, false, stationReception},
		{"GET", "/admin/public-opinions", core.Viewers, false, publicOpinionsList},
		{"GET", "/admin/public-opinions/counts", core.Viewers, false, publicOpinionCounts},
		{"GET", "/admin/public-opinions/counts.xlsx", core.Editors, false, publicOpinionCountsXLSX},
		{"GET", "/admin/public-opinions/{id}", core.Viewers, false, publicOpinionShow},
		{"POST", "/admin/public-opinions/{id}/route", core.Editors, false, publicOpinionRoute},

		// The inbox (留言): messages followers leave in the chat.
		{"GET", "/admin/messages", core.Viewers, false, messagesList},
		{"GET", "/admin/messages/export", core.Editors, false, messagesExport},
		{"GET", "/admin/messages/{id}", core.Viewers, false, messageShow},
		{"POST", "/admin/messages/{id}/reply", core.Editors, false, messageReply},
		{"POST", "/admin/messages/{id}/assign", core.Editors, false, messageAssign},
		{"POST", "/admin/messages/{id}/close", core.Editors, false, messageClose},
	}
}

// Routes describes the console routes of this package, for tests and docs.
func Routes() []httpkit.RouteInfo {
	var out []httpkit.RouteInfo
	for _, rt := range routes() {
		out = append(out, httpkit.RouteInfo{Method: rt.method, Pattern: rt.pattern, Roles: slices.Clone(rt.roles), Public: rt.public})
	}
	return out
}

// server is the console's state.
type server struct {
	d        Deps
	core     *core.Services
	sessions *scs.SessionManager
	views    *views
}

// Handler returns the console, /admin/…. Cross-site form posts are refused.
func Handler(d Deps) http.Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	d.PublicURL = strings.TrimRight(d.PublicURL, "/")
	s := &server{d: d, core: d.Services, sessions: d.Sessions}
	s.views = loadViews(s)
	inner := http.NewServeMux()
	for _, rt := range routes() {
		inner.Handle(rt.method+" "+rt.pattern, s.page(rt))
	}
	inner.Handle("/admin/", s.page(route{roles: core.Everyone, handle: func(*server, http.ResponseWriter, *http.Request, core.Actor) error {
		return model.ErrNotFound
	}}))
	inner.HandleFunc("GET /admin/static/{file}", s.views.serveStatic)
	return httpkit.WithRequestID(httpkit.ConsoleHeaders(httpkit.CrossOrigin(d.PublicURL, d.Log,
		s.sessions.LoadAndSave(inner), func(w http.ResponseWriter, r *http.Request) {
			s.errorPage(w, r, http.StatusForbidden, "提交被拒绝", "该操作只能在本系统的页面内提交。请返回页面，刷新后重新提交。")
		})))
}

// Paths other code refers to.
const (
	loginPath    = "/admin/login"
	logoutPath   = "/admin/logout"
	passwordPath = "/admin/password"
)

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
		by := core.StaffActor(me, core.ViaConsole)
		if err := rt.handle(s, w, r.WithContext(httpkit.WithAccount(r.Context(), me)), by); err != nil {
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
	a, ok, err := s.core.Staff.SessionAccount(ctx, id, s.sessions.GetString(ctx, sessStamp))
	if err != nil || !ok {
		if err == nil {
			err = s.sessions.Destroy(ctx)
		}
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

func (s *server) flash(r *http.Request, msg string) { s.sessions.Put(r.Context(), sessFlash, msg) }
