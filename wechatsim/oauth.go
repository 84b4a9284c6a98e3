package wechatsim

import (
	crand "crypto/rand"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"
	"weak"
)

// Web authorisation (网页授权) of the fake platform. A page that needs to
// know its visitor sends the browser to
//
//	GET /connect/oauth2/authorize?appid=…&redirect_uri=…&response_type=code&scope=snsapi_base&state=…
//
// (on the real platform https://open.weixin.qq.com/connect/oauth2/authorize;
// in deputybot's simulator mode <public url>/sim/connect/oauth2/authorize).
// WeChat knows who is browsing; the simulator takes the user from an extra
// openid query parameter or the wechatsim_openid cookie, and without
// either shows a page to pick a simulated user. It issues a one-time code
// valid for 5 minutes and redirects to redirect_uri?code=…&state=…. The
// page's server then calls
//
//	GET /sns/oauth2/access_token?appid=…&secret=…&code=…&grant_type=authorization_code
//
// (on the real platform under https://api.weixin.qq.com) and gets
// {"access_token","expires_in":7200,"refresh_token","openid","scope"}; a
// wrong secret answers 40125, an unknown, expired or used code 40029.

// OAuthCodeTTL is how long a web-authorisation code can be exchanged.
const OAuthCodeTTL = 5 * time.Minute

// OAuthUserCookie names the cookie that tells the fake authorize page
// which simulated user is browsing.
const OAuthUserCookie = "wechatsim_openid"

const (
	pathOAuthAuthorize = "/connect/oauth2/authorize"
	pathOAuthToken     = "/sns/oauth2/access_token"
)

type oauthCode struct {
	openid, scope string
	exp           time.Time
}

// oauthState holds the issued codes; each Sim has its own.
type oauthState struct {
	mu    sync.Mutex
	codes map[string]oauthCode
}

// oauthStates maps each Sim (weakly, so a dropped Sim is collected) to its
// codes.
var oauthStates sync.Map // weak.Pointer[Sim] → *oauthState

func (s *Sim) oauth() *oauthState {
	key := weak.Make(s)
	if st, ok := oauthStates.Load(key); ok {
		return st.(*oauthState)
	}
	st, loaded := oauthStates.LoadOrStore(key, &oauthState{codes: map[string]oauthCode{}})
	if !loaded {
		runtime.AddCleanup(s, func(k weak.Pointer[Sim]) { oauthStates.Delete(k) }, key)
	}
	return st.(*oauthState)
}

// mountOAuth adds the web-authorisation endpoints to the simulator's mux.
func (s *Sim) mountOAuth(mux *http.ServeMux) {
	mux.HandleFunc("GET "+pathOAuthAuthorize, s.serveAuthorize)
	mux.HandleFunc("GET "+pathOAuthToken, s.serveOAuthToken)
}

// OAuthCode issues a web-authorisation code for openid, as the authorize
// page does after WeChat identified the user (for tests that skip the
// browser leg).
func (s *Sim) OAuthCode(openid, scope string) string {
	b := make([]byte, 16)
	_, _ = crand.Read(b)
	code := "SIMCODE_" + hex.EncodeToString(b)
	st := s.oauth()
	st.mu.Lock()
	defer st.mu.Unlock()
	now := s.now()
	for c, v := range st.codes {
		if now.After(v.exp) {
			delete(st.codes, c)
		}
	}
	st.codes[code] = oauthCode{openid: openid, scope: scope, exp: now.Add(OAuthCodeTTL)}
	return code
}

// takeCode consumes a code: a code works once.
func (s *Sim) takeCode(code string) (oauthCode, bool) {
	st := s.oauth()
	st.mu.Lock()
	defer st.mu.Unlock()
	v, ok := st.codes[code]
	delete(st.codes, code)
	if !ok || s.now().After(v.exp) {
		return oauthCode{}, false
	}
	return v, true
}

var authorizeErrorPage = template.Must(template.New("e").Parse(`<!doctype html><html lang="zh-CN"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>微信网页授权</title></head>
<body style="font-family:sans-serif;padding:2rem 1rem;text-align:center"><h3>{{.}}</h3><p style="color:#888">（模拟微信平台）</p></body></html>`))

var pickUserPage = template.Must(template.New("p").Parse(`<!doctype html><html lang="zh-CN"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>选择模拟用户</title></head>
<body style="font-family:sans-serif;padding:1rem"><h3>模拟微信：以哪位用户身份打开此页面？</h3>
{{if .Users}}<ul>{{range .Users}}<li style="margin:.6rem 0"><a href="{{.URL}}">{{.Nickname}}（{{.OpenID}}）</a></li>{{end}}</ul>
{{else}}<p>还没有模拟用户：请先在模拟手机中关注公众号。</p>{{end}}</body></html>`))

func authorizeError(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = authorizeErrorPage.Execute(w, msg)
}

// serveAuthorize is the fake open.weixin.qq.com/connect/oauth2/authorize.
func (s *Sim) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("appid") != s.cfg.AppID:
		authorizeError(w, "appid 参数错误")
		return
	case err != nil || (back.Scheme != "http" && back.Scheme != "https") || back.Host == "":
		authorizeError(w, "redirect_uri 参数错误")
		return
	case q.Get("response_type") != "code":
		authorizeError(w, "response_type 参数错误")
		return
	case q.Get("scope") != "snsapi_base" && q.Get("scope") != "snsapi_userinfo":
		authorizeError(w, "scope 参数错误")
		return
	}
	openid := q.Get("openid")
	if openid == "" {
		if c, err := r.Cookie(OAuthUserCookie); err == nil {
			openid = c.Value
		}
	}
	if openid == "" {
		s.pickUser(w, r)
		return
	}
	bq := back.Query()
	bq.Set("code", s.OAuthCode(openid, q.Get("scope")))
	if state := q.Get("state"); state != "" {
		bq.Set("state", state)
	}
	back.RawQuery, back.Fragment = bq.Encode(), ""
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// pickUser lists the simulated users, each linking back here with openid.
func (s *Sim) pickUser(w http.ResponseWriter, r *http.Request) {
	type choice struct{ OpenID, Nickname, URL string }
	var users []choice
	for _, u := range s.Users() {
		q := r.URL.Query()
		q.Set("openid", u.OpenID)
		// Relative, so it works wherever the simulator is mounted.
		users = append(users, choice{u.OpenID, u.Nickname, "authorize?" + q.Encode()})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = pickUserPage.Execute(w, map[string]any{"Users": users})
}

type oauthTokenResp struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	OpenID       string `json:"openid"`
	Scope        string `json:"scope"`
}

// serveOAuthToken is the fake api.weixin.qq.com/sns/oauth2/access_token.
func (s *Sim) serveOAuthToken(w http.ResponseWriter, r *http.Request) {
	fx := s.applyFaults(pathOAuthToken)
	if fx.latency > 0 {
		t := time.NewTimer(fx.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fx.errcode != 0 {
		writeJSON(w, errOf(fx.errcode))
		return
	}
	q := r.URL.Query()
	switch {
	case q.Get("grant_type") != "authorization_code":
		writeJSON(w, errOf(40002))
		return
	case q.Get("appid") != s.cfg.AppID:
		writeJSON(w, errOf(40013))
		return
	case q.Get("secret") != s.cfg.AppSecret:
		writeJSON(w, errOf(40125))
		return
	}
	c, ok := s.takeCode(strings.TrimSpace(q.Get("code")))
	if !ok {
		writeJSON(w, &apiError{ErrCode: 40029, ErrMsg: "invalid code"})
		return
	}
	s.mu.Lock()
	s.pathCalls[pathOAuthToken]++
	s.mu.Unlock()
	writeJSON(w, oauthTokenResp{AccessToken: newTokenString(), ExpiresIn: 7200, RefreshToken: newTokenString(),
		OpenID: c.openid, Scope: c.scope})
}
