package h5

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/core"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/web"
)

// DefaultAuthorizeURL is WeChat's web authorisation (网页授权) page.
const DefaultAuthorizeURL = "https://open.weixin.qq.com/connect/oauth2/authorize"

// OAuth configures WeChat web authorisation with scope snsapi_base,
// which identifies the deputy opening a menu page without asking them
// anything. In simulator mode the fake platform serves both ends:
// AuthorizeURL is <public url>/sim/connect/oauth2/authorize and APIBase
// <public url>/sim.
type OAuth struct {
	AppID, AppSecret string
	// APIBase is where the code is exchanged (APIBase/sns/oauth2/access_token);
	// default https://api.weixin.qq.com.
	APIBase string
	// AuthorizeURL is the page the browser is sent to; default DefaultAuthorizeURL.
	AuthorizeURL string
}

// Deps is what the H5 pages need.
type Deps struct {
	// Services are the use cases, with the one clock and the time zone
	// the pages show times in (required).
	Services *core.Services
	Signer   *notify.Signer
	Log      *slog.Logger
	OAuth    OAuth
	// PublicURL is the service's address as deputies' phones reach it
	// (https://…, no trailing slash): the OAuth redirect goes there, and
	// its origin is trusted for form posts.
	PublicURL string
	// HTTPClient exchanges OAuth codes; default a client with a 10 s timeout.
	HTTPClient *http.Client
}

// Now is the services' clock.
func (d Deps) Now() time.Time { return d.Services.Now() }

const (
	h5SessionCookie = "h5_session"
	h5StateCookie   = "h5_oauth_state"
	h5SessionTTL    = 2 * time.Hour
	h5StateTTL      = 10 * time.Minute
	h5MaxForm       = 64 << 10
	h5ChannelPage   = "h5" // the RSVP channel of answers given on a page
)

// h5 serves the pages deputies open from WeChat.
type server struct {
	d           Deps
	suggestions *core.Suggestions
	surveys     *core.Surveys
	materials   *core.Materials
	opinions    *core.Opinions
	secure      bool // cookies get Secure: PublicURL is https
	pages       map[string]*template.Template
	static      fs.FS
	assetHash   map[string]string
}

// h5Pages are the page templates under web/h5, each rendered inside
// layout.html with the shared parts.
var h5Pages = []string{"notice", "entity", "meetings", "suggestions", "materials", "activities", "station", "problem", "suggest"}

// Handler returns the handler of /h5/…: pages a push links to (/h5/d/{delivery}
// with a signed token), menu pages identified by WeChat OAuth and a
// session cookie (/h5/m/{meetings|suggestions|materials}, and
// /h5/{meetings|suggestions|materials}/{id}), and their assets. Answers
// given there go through the same core services as answers in the chat.
func Handler(d Deps) http.Handler {
	if d.Services == nil {
		panic("h5: Deps.Services is required")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.HTTPClient == nil {
		d.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if d.OAuth.APIBase == "" {
		d.OAuth.APIBase = "https://api.weixin.qq.com"
	}
	if d.OAuth.AuthorizeURL == "" {
		d.OAuth.AuthorizeURL = DefaultAuthorizeURL
	}
	d.PublicURL = strings.TrimRight(d.PublicURL, "/")
	d.OAuth.APIBase = strings.TrimRight(d.OAuth.APIBase, "/")
	s := d.Services
	h := &server{d: d, suggestions: s.Suggestions, surveys: s.Surveys, materials: s.Materials,
		opinions: s.Opinions, secure: strings.HasPrefix(d.PublicURL, "https://")}
	h.loadAssets()
	h.loadTemplates()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /h5/static/{file}", h.serveStatic)
	mux.HandleFunc("GET /h5/d/{id}", h.deliveryPage)
	mux.HandleFunc("POST /h5/d/{id}/{verb}", h.deliveryPost)
	mux.HandleFunc("GET /h5/oauth", h.oauthCallback)
	mux.HandleFunc("GET /h5/m/{page}", h.menuPage)
	mux.HandleFunc("GET /h5/files/{id}", h.fileDownload)
	mux.HandleFunc("GET /h5/activities", h.activitiesPage)
	mux.HandleFunc("GET /h5/suggest", h.suggestPage)
	mux.HandleFunc("POST /h5/suggest", h.suggestPost)
	mux.HandleFunc("POST /h5/suggest/{id}/files", h.suggestFile)
	mux.HandleFunc("GET /h5/stations/{id}", h.stationPage)
	mux.HandleFunc("POST /h5/stations/{id}/opinions", h.stationOpinion)
	mux.HandleFunc("POST /h5/activities/{id}/{verb}", h.activityPost)
	mux.HandleFunc("POST /h5/reading/{id}", h.readingPost)
	for prefix, kind := range h5SessionKinds {
		mux.HandleFunc("GET /h5/"+prefix+"/{id}", h.entityPage(kind))
		mux.HandleFunc("POST /h5/"+prefix+"/{id}/{verb}", h.entityPost(kind))
	}
	mux.HandleFunc("/h5/", func(w http.ResponseWriter, r *http.Request) { h.problem(w, http.StatusNotFound, h5NotFound) })

	cop := http.NewCrossOriginProtection()
	if u, err := url.Parse(d.PublicURL); err == nil && u.Scheme != "" && u.Host != "" {
		// Behind a proxy that rewrites Host, browsers without
		// Sec-Fetch-Site are still recognised by their Origin.
		_ = cop.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.Log.Warn("h5: cross-origin post refused", "path", r.URL.Path)
		h.problem(w, http.StatusForbidden, h5CrossOrigin)
	}))
	return h5Headers(cop.Handler(mux))
}

// h5Headers keeps pages out of caches and keeps the link token out of
// Referer headers; the pages load nothing but their own stylesheets and
// scripts (the study page's reading-time report).
func h5Headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Cache-Control", "no-store")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; "+
			"script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

func (h *server) loadAssets() {
	sub, err := fs.Sub(web.Static, "static")
	if err != nil {
		panic(err)
	}
	h.static, h.assetHash = sub, map[string]string{}
	entries, err := fs.ReadDir(sub, ".")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(sub, e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		h.assetHash[e.Name()] = hex.EncodeToString(sum[:4])
	}
}

func (h *server) loadTemplates() {
	funcs := template.FuncMap{
		// asset names a static file with its content hash, so it can be
		// cached for a year and still change with a release.
		"asset": func(name string) string { return "/h5/static/" + name + "?v=" + h.assetHash[name] },
		// percent rounds done/of down to tens, for a progress bar's class
		// (the policy allows no inline styles).
		"percent": func(done, of int) int {
			if of <= 0 {
				return 0
			}
			return min(100, done*10/of*10)
		},
	}
	h.pages = map[string]*template.Template{}
	for _, p := range h5Pages {
		h.pages[p] = template.Must(template.New(p).Funcs(funcs).ParseFS(web.H5,
			"h5/layout.html", "h5/parts.html", "h5/"+p+".html"))
	}
}

func (h *server) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := fs.ReadFile(h.static, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

// render writes page with data, or a plain 500 when the template fails
// (before anything was written).
func (h *server) render(w http.ResponseWriter, status int, page string, data any) {
	var buf bytes.Buffer
	if err := h.pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		h.d.Log.Error("h5: render", "page", page, "err", err)
		http.Error(w, "系统繁忙，请稍后再试", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// h5Problem is a page that explains why nothing can be shown, and what to
// do; it never shows data.
type h5Problem struct {
	Title, Message, Hint string
}

var (
	h5LinkInvalid = h5Problem{"链接无效", "这个链接不完整或已被改动，无法打开。",
		"请回到公众号，从原来的消息重新打开；也可以在公众号中回复“我的会议”“我的建议”或“学习”查看。"}
	h5LinkExpired = h5Problem{"链接已过期", "为保护您的信息，消息中的链接在 30 天后失效。",
		"链接已过期，请在公众号中回复“我的会议”重新获取（建议回复“我的建议”，学习材料回复“学习”），或点击公众号菜单打开。"}
	h5NotFound = h5Problem{"内容不存在", "您要查看的内容不存在或已被删除。",
		"请回到公众号，回复“帮助”查看可用的功能。"}
	h5SessionExpired = h5Problem{"页面已过期", "为保护您的信息，页面打开 2 小时后需要重新进入。",
		"请关闭本页，从公众号菜单重新打开。"}
	h5Unbound = h5Problem{"尚未绑定代表身份", "您的微信还没有与代表身份绑定，暂时无法查看。",
		"请在公众号中回复“绑定”，按提示完成绑定后，再从菜单打开本页。"}
	h5LinkUnbound = h5Problem{"链接已失效", "这个链接所属的代表身份已不再与发送链接时的微信号绑定（已解除绑定或改绑了其他微信号），链接随之失效。",
		"如果您是该代表本人，请在公众号中回复“绑定”重新绑定，之后回复“我的会议”“我的建议”或“学习”查看；如有疑问，请联系省人大常委会代表工作机构。"}
	h5Ended = h5Problem{"无法查看", "您的代表资格已终止，无法使用此功能。",
		"如有疑问，请联系省人大常委会代表工作机构。"}
	h5LoginFailed = h5Problem{"未能确认您的身份", "未能通过微信确认您的身份，请稍后再试。",
		"请关闭本页，从公众号菜单重新打开。"}
	h5LoginUnavailable = h5Problem{"暂不可用", "此页面需要通过微信公众号打开。",
		"请在微信中关注公众号后，从菜单打开本页。"}
	h5CrossOrigin = h5Problem{"提交被拒绝", "该操作只能在本页面内提交。",
		"请返回页面，刷新后重新提交。"}
	h5Internal = h5Problem{"系统繁忙", "系统暂时无法处理您的请求。", "请稍后再试。"}
	h5TooLarge = h5Problem{"内容过长", "提交的内容超过了允许的长度。", "请返回上一页，精简后重新提交。"}
	h5NotUTF8  = h5Problem{"无法识别的字符", "提交的内容含有无法识别的字符（乱码）。", "请返回上一页，删去乱码后重新提交。"}
)

func (h *server) problem(w http.ResponseWriter, status int, p h5Problem) {
	h.render(w, status, "problem", p)
}

func (h *server) internal(w http.ResponseWriter, what string, err error) {
	h.d.Log.Error("h5: "+what, "err", err)
	h.problem(w, http.StatusInternalServerError, h5Internal)
}

// parseForm reads a POST form of at most h5MaxForm bytes; false when it
// has answered already.
func (h *server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, h5MaxForm)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.problem(w, http.StatusRequestEntityTooLarge, h5TooLarge)
		} else {
			h.problem(w, http.StatusBadRequest, h5LinkInvalid)
		}
		return false
	}
	for k, vs := range r.Form {
		for _, v := range append(vs, k) {
			if !utf8.ValidString(v) {
				// MySQL would refuse to store it: a server error later.
				h.problem(w, http.StatusBadRequest, h5NotUTF8)
				return false
			}
		}
	}
	return true
}

// h5UserError returns the Chinese messages for an error the deputy can
// act on (a closed deadline, a form to correct), or false for a failure
// of ours.
func h5UserError(err error, ratingWindow time.Duration) ([]string, bool) {
	var verr core.ValidationError
	var ferr *core.FieldError
	switch {
	case errors.As(err, &verr):
		out := make([]string, len(verr))
		for i, e := range verr {
			out[i] = e.Label + "：" + e.Msg
		}
		return out, true
	case errors.As(err, &ferr):
		return []string{ferr.Label + "：" + ferr.Msg}, true
	case errors.Is(err, core.ErrRSVPClosed):
		return []string{"回执已截止，不能再提交或修改。如需变更，请直接联系会议组织方。"}, true
	case errors.Is(err, core.ErrNotOnSuggestion):
		return []string{"您不是该建议的领衔或附议代表，不能进行满意度测评。"}, true
	case errors.Is(err, core.ErrNotRateable):
		return []string{"承办单位尚未答复该建议，答复后才能进行满意度测评。"}, true
	case errors.Is(err, core.ErrRatingClosed):
		return []string{fmt.Sprintf("测评提交已超过 %d 天，不能再修改。", int(ratingWindow.Hours()/24))}, true
	case errors.Is(err, model.ErrSurveyClosed):
		return []string{"问卷不在填写时间内（已截止或尚未开始），无法提交。"}, true
	case errors.Is(err, model.ErrAlreadyAnswered):
		return []string{"您已提交过本问卷。匿名问卷只能提交一次。"}, true
	case errors.Is(err, core.ErrSolicitationClosed):
		return []string{"征求意见已截止，不能再提交。"}, true
	}
	return nil, false
}

// h5ErrorCode names an error for the log without its text.
func h5ErrorCode(err error) string {
	var verr core.ValidationError
	switch {
	case errors.As(err, &verr):
		return "invalid"
	case errors.Is(err, core.ErrRSVPClosed), errors.Is(err, core.ErrRatingClosed),
		errors.Is(err, model.ErrSurveyClosed), errors.Is(err, core.ErrSolicitationClosed):
		return "closed"
	case errors.Is(err, core.ErrNotOnSuggestion):
		return "not_on_suggestion"
	case errors.Is(err, core.ErrNotRateable):
		return "not_rateable"
	case errors.Is(err, model.ErrAlreadyAnswered):
		return "already_answered"
	}
	return "refused"
}

var blankLines = regexp.MustCompile(`\n[ \t\x{3000}]*\n`)

// paragraphs splits text on blank lines; each paragraph is escaped by the
// template, never trusted as HTML.
func paragraphs(s string) []string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out []string
	for _, p := range blankLines.Split(s, -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var weekdays = [...]string{"日", "一", "二", "三", "四", "五", "六"}

// fmtTime writes t as deputies read dates: 2026年3月5日（周四）09:30.
func (h *server) fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(h.d.Services.Location())
	return fmt.Sprintf("%d年%d月%d日（周%s）%02d:%02d", t.Year(), t.Month(), t.Day(), weekdays[t.Weekday()], t.Hour(), t.Minute())
}

func (h *server) fmtDate(t time.Time) string {
	t = t.In(h.d.Services.Location())
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}
