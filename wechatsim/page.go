package wechatsim

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// Handler serves the fake WeChat API under /cgi-bin/..., the phone page at /
// and its JSON endpoints under /api/.... Mount it anywhere, e.g.
// http.StripPrefix("/sim", s.Handler()); the page only uses relative URLs.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/cgi-bin/", s.serveAPI)
	mux.HandleFunc("/api/", s.servePageAPI)
	s.mountOAuth(mux) // web authorisation, oauth.go
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	mux.Handle("/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" {
			// Mounted under a prefix and requested without the trailing
			// slash ("/sim"): redirect so relative URLs resolve inside it.
			p := r.URL.Path
			if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
				p = u.Path
			}
			http.Redirect(w, r, p+"/", http.StatusMovedPermanently)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// pageParams reads parameters from a JSON object body, a form body or the query.
func pageParams(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	if r.Method != http.MethodPost {
		return out
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var m map[string]any
		if json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m) == nil {
			for k, v := range m {
				switch x := v.(type) {
				case string:
					out[k] = x
				case float64:
					out[k] = strconv.FormatFloat(x, 'f', -1, 64)
				case bool:
					out[k] = strconv.FormatBool(x)
				}
			}
		}
		return out
	}
	if r.ParseForm() == nil {
		for k, v := range r.PostForm {
			out[k] = v[0]
		}
	}
	return out
}

type pageResult struct {
	OK    bool     `json:"ok"`
	Error string   `json:"error,omitempty"`
	Reply *Message `json:"reply,omitempty"`
}

func actionResult(rep Reply, err error) pageResult {
	if err != nil {
		return pageResult{OK: false, Error: err.Error(), Reply: rep.Msg}
	}
	return pageResult{OK: true, Reply: rep.Msg}
}

func badRequest(w http.ResponseWriter, msg string) {
	w.WriteHeader(http.StatusBadRequest)
	writeJSON(w, pageResult{Error: msg})
}

// servePageAPI serves the phone page's JSON endpoints.
func (s *Sim) servePageAPI(w http.ResponseWriter, r *http.Request) {
	p := pageParams(r)
	name := strings.TrimPrefix(r.URL.Path, "/api/")
	openid := p["openid"]
	post := r.Method == http.MethodPost
	needUser := map[string]bool{"send": true, "click": true, "view": true, "follow": true,
		"unfollow": true, "scan": true, "messages": true}
	if needUser[name] && openid == "" {
		badRequest(w, "缺少 openid")
		return
	}
	if needUser[name] && name != "messages" && !post {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()
	switch name {
	case "state":
		writeJSON(w, map[string]any{"mode": s.cfg.Mode.String(), "callback_url": s.CallbackURL(),
			"app_id": s.cfg.AppID, "original_id": s.cfg.OriginalID, "users": s.Users(),
			"template_sends": s.TemplateSends(), "token_fetches": s.TokenFetches()})
	case "users":
		if post {
			id := strings.TrimSpace(p["openid"])
			if id == "" {
				id = s.nextSimOpenID()
			}
			u := s.User(id)
			if nick := strings.TrimSpace(p["nickname"]); nick != "" {
				u.SetNickname(nick)
			}
			writeJSON(w, u.Info())
			return
		}
		writeJSON(w, s.Users())
	case "messages":
		after, _ := strconv.ParseInt(p["after"], 10, 64)
		wait, _ := strconv.Atoi(p["wait"])
		msgs := s.longPoll(ctx, openid, after, time.Duration(min(max(wait, 0), 25))*time.Second)
		if msgs == nil {
			msgs = []Message{}
		}
		var info *UserInfo
		s.mu.Lock()
		if us, ok := s.users[openid]; ok {
			i := us.info()
			info = &i
		}
		s.mu.Unlock()
		writeJSON(w, map[string]any{"messages": msgs, "user": info})
	case "send":
		if strings.TrimSpace(p["text"]) == "" {
			badRequest(w, "消息内容不能为空")
			return
		}
		writeJSON(w, actionResult(s.User(openid).SendText(ctx, p["text"])))
	case "click":
		writeJSON(w, actionResult(s.User(openid).Click(ctx, p["key"])))
	case "view":
		writeJSON(w, actionResult(s.User(openid).View(ctx, p["url"])))
	case "scan":
		writeJSON(w, actionResult(s.User(openid).Scan(ctx, p["scene"])))
	case "follow":
		writeJSON(w, actionResult(s.User(openid).Follow(ctx)))
	case "unfollow":
		writeJSON(w, actionResult(s.User(openid).Unfollow(ctx)))
	case "menu":
		writeJSON(w, map[string]any{"button": normalizeButtons(s.Menu())})
	case "faults":
		switch {
		case r.Method == http.MethodDelete || (post && p["clear"] == "true"):
			s.ClearFaults()
		case post:
			f, err := faultFromParams(p)
			if err != nil {
				badRequest(w, err.Error())
				return
			}
			s.AddFault(f)
		}
		writeJSON(w, faultsJSON(s.Faults()))
	case "expire_tokens":
		if !post {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		s.ExpireTokens()
		writeJSON(w, pageResult{OK: true})
	default:
		w.WriteHeader(http.StatusNotFound)
		writeJSON(w, pageResult{Error: "未知接口"})
	}
}

// longPoll returns messages with Seq > after, waiting up to wait for one.
func (s *Sim) longPoll(ctx context.Context, openid string, after int64, wait time.Duration) []Message {
	msgs, ch := s.messagesAfter(openid, after)
	if len(msgs) > 0 || wait <= 0 {
		return msgs
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
		return nil
	case <-s.bgCtx.Done():
		// The simulator is closing: let the server shut down now.
		return nil
	}
	msgs, _ = s.messagesAfter(openid, after)
	return msgs
}

func (s *Sim) nextSimOpenID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.userOrder) + 1; ; i++ {
		id := "sim-user-" + strconv.Itoa(i)
		if _, ok := s.users[id]; !ok {
			return id
		}
	}
}

type faultJSON struct {
	Path             string  `json:"path"`
	ErrCode          int     `json:"errcode"`
	Rate             float64 `json:"rate"`
	LatencyMS        int64   `json:"latency_ms"`
	TimeoutAfterRead bool    `json:"timeout_after_read"`
	Count            int     `json:"count"`
}

func faultsJSON(fs []Fault) []faultJSON {
	out := make([]faultJSON, 0, len(fs))
	for _, f := range fs {
		out = append(out, faultJSON{f.Path, f.ErrCode, f.Rate, f.Latency.Milliseconds(), f.TimeoutAfterRead, f.Count})
	}
	return out
}

func faultFromParams(p map[string]string) (Fault, error) {
	var f Fault
	var err error
	num := func(k string, dst *int) {
		if v := p[k]; v != "" && err == nil {
			*dst, err = strconv.Atoi(v)
		}
	}
	f.Path = strings.TrimSpace(p["path"])
	if f.Path != "" && !strings.HasPrefix(f.Path, "/cgi-bin/") {
		return f, errors.New("path 必须以 /cgi-bin/ 开头")
	}
	num("errcode", &f.ErrCode)
	num("count", &f.Count)
	var ms int
	num("latency_ms", &ms)
	if v := p["rate"]; v != "" && err == nil {
		f.Rate, err = strconv.ParseFloat(v, 64)
	}
	if err != nil {
		return f, errors.New("参数格式错误")
	}
	f.Latency = time.Duration(ms) * time.Millisecond
	f.TimeoutAfterRead = p["timeout_after_read"] == "true" || p["timeout_after_read"] == "1" || p["timeout_after_read"] == "on"
	if f.ErrCode == 0 && f.Latency == 0 && !f.TimeoutAfterRead {
		return f, errors.New("请至少设置错误码、延迟或超时之一")
	}
	return f, nil
}
