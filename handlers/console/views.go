package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
	"deputybot/web"
)

// views holds the console's templates and assets from web/admin.
type views struct {
	pages     map[string]*template.Template
	static    fs.FS
	assetHash map[string]string
}

func loadViews(s *server) *views {
	v := &views{pages: map[string]*template.Template{}, assetHash: map[string]string{}}
	sub, err := fs.Sub(web.Admin, "admin/static")
	if err != nil {
		panic(err)
	}
	v.static = sub
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
		v.assetHash[e.Name()] = hex.EncodeToString(sum[:4])
	}
	funcs := template.FuncMap{
		"asset":       func(name string) string { return "/admin/static/" + name + "?v=" + v.assetHash[name] },
		"roleLabel":   core.RoleLabel,
		"levelLabel":  core.LevelLabel,
		"statusLabel": core.StatusLabel,
		"rsvpLabel":   model.RSVPLabel,
		"kindLabel":   func(k string) string { return orDefault(model.KindLabels[k], k) },
		"delivery":    func(st string) string { return orDefault(model.DeliveryLabel(st), st) },
		"time":        s.fmtTime,
		"date":        fmtDay,
		"join":        strings.Join,
		"roles":       func() []string { return core.Roles },
		"inc":         func(i int) int { return i + 1 },
	}
	files, err := fs.Glob(web.Admin, "admin/*.html")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		v.pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(web.Admin, "admin/layout.html", f))
	}
	return v
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fmtTime writes a moment in the committee's zone, to the minute.
func (s *server) fmtTime(t any) string {
	var tt time.Time
	switch v := t.(type) {
	case time.Time:
		tt = v
	case *time.Time:
		if v == nil {
			return ""
		}
		tt = *v
	default:
		return ""
	}
	if tt.IsZero() {
		return ""
	}
	return tt.In(s.core.Location()).Format("2006-01-02 15:04")
}

// fmtDay writes a calendar date as stored (midnight UTC).
func fmtDay(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func (v *views) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := fs.ReadFile(v.static, name)
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

// page is what every console template gets: the layout reads the
// account and the flash, the view reads Data.
type page struct {
	Title     string
	Nav       string // the highlighted menu entry
	Me        model.Account
	Flash     string
	RequestID string
	Data      any
}

// SignedIn reports whether the page is shown to an account.
func (p page) SignedIn() bool { return p.Me.ID != 0 }

// CanView reports whether the account sees deputy data.
func (p page) CanView() bool { return slices.Contains(core.Viewers, p.Me.Role) }

// CanEdit reports whether the account changes deputy data.
func (p page) CanEdit() bool { return slices.Contains(core.Editors, p.Me.Role) }

// IsAdmin reports whether the account manages accounts and the audit log.
func (p page) IsAdmin() bool { return p.Me.Role == model.RoleAdmin }

// render writes view with p, or a plain 500 when the template fails
// (before anything was written). Inside a session it shows (and clears)
// the pending flash message.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, view string, p page) {
	if _, inSession := httpkit.AccountOf(r.Context()); inSession {
		if f := s.sessions.PopString(r.Context(), sessFlash); f != "" && p.Flash == "" {
			p.Flash = f
		}
	}
	p.RequestID = httpkit.RequestID(r.Context())
	t, ok := s.views.pages[view]
	var buf bytes.Buffer
	if !ok {
		s.d.Log.Error("console: no such view", "view", view)
		http.Error(w, "系统繁忙，请稍后再试", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.d.Log.Error("console: render", "view", view, "err", err, "request_id", p.RequestID)
		http.Error(w, "系统繁忙，请稍后再试", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

type errorView struct{ Heading, Message string }

// errorPage explains why nothing can be shown; it shows no data.
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	me, _ := httpkit.AccountOf(r.Context())
	s.render(w, r, status, "error", page{Title: heading, Me: me, Data: errorView{heading, msg}})
}

// badInput is a request the console cannot read (a form too long, a
// malformed id): shown as it is, with 400.
type badInput string

func (e badInput) Error() string { return string(e) }

// pageError turns a handler's error into an error page: core's refusals
// with their own Chinese sentence, field errors with their messages,
// anything else as a 500 with the request id (the cause is logged, never
// shown).
func (s *server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	var bad badInput
	var st *statusError
	switch {
	case errors.As(err, &bad):
		s.errorPage(w, r, http.StatusBadRequest, "无法处理", string(bad))
		return
	case errors.As(err, &st):
		s.errorPage(w, r, st.code, "无法处理", st.msg)
		return
	}
	status := httpkit.Status(err)
	msg := core.Message(err)
	switch status {
	case http.StatusUnprocessableEntity:
		verr, _ := core.Fields(err)
		var msgs []string
		for _, e := range verr {
			msgs = append(msgs, e.Label+"："+e.Msg)
		}
		s.errorPage(w, r, status, "数据有误", strings.Join(msgs, "；"))
	case http.StatusNotFound:
		s.errorPage(w, r, status, "内容不存在", orDefault(msg, "您要查看的内容不存在或已被删除。"))
	case http.StatusForbidden:
		s.errorPage(w, r, status, "无权操作", orDefault(msg, "您的账号不能执行此操作。如需权限，请联系管理员。"))
	case http.StatusConflict:
		s.errorPage(w, r, status, "无法处理", orDefault(msg, "该数据已被修改或已存在，请刷新后重试。"))
	default:
		id := httpkit.RequestID(r.Context())
		s.d.Log.Error("console: request failed", "path", r.URL.Path, "err", err, "request_id", id)
		s.errorPage(w, r, http.StatusInternalServerError, "系统繁忙",
			"系统暂时无法处理您的请求，请稍后再试。如问题持续，请将编号 "+id+" 告知管理员。")
	}
}

// fieldErrors maps a form field to its message; "general" holds the
// messages of no particular field.
type fieldErrors map[string]string

// fieldErrorsOf returns the per-field messages of a validation error, by
// the field's key, and false for any other error.
func fieldErrorsOf(err error) (fieldErrors, bool) {
	verr, ok := core.Fields(err)
	if !ok {
		return nil, false
	}
	out := fieldErrors{}
	for _, e := range verr {
		key, msg := e.Key, e.Msg
		if key == "" {
			key, msg = "general", e.Label+"："+e.Msg
		}
		if out[key] != "" {
			msg = out[key] + "；" + msg
		}
		out[key] = msg
	}
	return out, true
}

// pager is the paging of a list page.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string // links, empty at the ends
}

func newPager(total, page, size int, link func(page int) string) pager {
	p := pager{Page: page, Total: total, Pages: max(1, (total+size-1)/size)}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}
