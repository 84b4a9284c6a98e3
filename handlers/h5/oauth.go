package h5

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/notify"
)

// The menu pages identify the deputy with WeChat web authorisation
// (snsapi_base, silent): the browser goes to WeChat with a random state
// (kept in a short-lived cookie), comes back to /h5/oauth with a code,
// the code is exchanged for the openid, and the bound deputy gets a
// session cookie signed with the link key for h5SessionTTL.

// session returns the deputy of a valid session cookie, as the actor the
// page acts as: signed, at most h5SessionTTL old, for a deputy still bound
// to the WeChat user who signed in (part of what is signed) and in office.
func (h *server) session(r *http.Request) (core.Actor, bool) {
	c, err := r.Cookie(h5SessionCookie)
	if err != nil {
		return core.Actor{}, false
	}
	issued, tok, ok := strings.Cut(c.Value, "~")
	at, err := strconv.ParseInt(issued, 10, 64)
	if !ok || err != nil {
		return core.Actor{}, false
	}
	if age := h.d.Now().Sub(time.Unix(at, 0)); age < -time.Minute || age > h5SessionTTL {
		return core.Actor{}, false
	}
	d, err := h.d.Services.Access.SessionDeputy(r.Context(), notify.TokenDeputy(tok))
	if err != nil {
		return core.Actor{}, false
	}
	// The issue time is part of the signed subject, so it cannot be moved.
	if _, err := h.d.Signer.Verify(sessionSubject(issued, d.OpenID), tok); err != nil {
		return core.Actor{}, false
	}
	return core.DeputyActor(d, core.ViaH5), true
}

// sessionSubject is what a session cookie's token signs: when it was
// issued and the WeChat user who signed in.
func sessionSubject(issued, openid string) string { return "s" + issued + "@" + openid }

func (h *server) setSession(w http.ResponseWriter, d model.Deputy) {
	issued := strconv.FormatInt(h.d.Now().Unix(), 10)
	http.SetCookie(w, &http.Cookie{Name: h5SessionCookie, Value: issued + "~" + h.d.Signer.Token(sessionSubject(issued, d.OpenID), d.ID),
		Path: "/h5/", MaxAge: int(h5SessionTTL / time.Second), HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
}

// sessionOrLogin returns the session's deputy, or sends the browser to
// WeChat to log in and come back to this page.
func (h *server) sessionOrLogin(w http.ResponseWriter, r *http.Request) (core.Actor, bool) {
	if by, ok := h.session(r); ok {
		return by, true
	}
	h.login(w, r, r.URL.Path)
	return core.Actor{}, false
}

func (h *server) login(w http.ResponseWriter, r *http.Request, next string) {
	if h.d.OAuth.AppID == "" || h.d.PublicURL == "" {
		h.problem(w, http.StatusServiceUnavailable, h5LoginUnavailable)
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	state := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: h5StateCookie, Value: state, Path: "/h5/oauth",
		MaxAge: int(h5StateTTL / time.Second), HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
	back := h.d.PublicURL + "/h5/oauth?next=" + url.QueryEscape(next)
	sep := "?"
	if strings.Contains(h.d.OAuth.AuthorizeURL, "?") {
		sep = "&"
	}
	// WeChat wants the parameters in this order and the fragment.
	u := h.d.OAuth.AuthorizeURL + sep + "appid=" + url.QueryEscape(h.d.OAuth.AppID) +
		"&redirect_uri=" + url.QueryEscape(back) + "&response_type=code&scope=snsapi_base&state=" + state +
		"#wechat_redirect"
	http.Redirect(w, r, u, http.StatusFound)
}

// safeNext accepts only a clean path under /h5/: never another host.
func safeNext(next string) bool {
	if !strings.HasPrefix(next, "/h5/") || strings.ContainsAny(next, "\\\r\n\t") {
		return false
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Path == path.Clean(u.Path) &&
		strings.HasPrefix(u.Path, "/h5/")
}

// oauthCallback serves GET /h5/oauth?code=…&state=…&next=…, where WeChat
// sends the browser back.
func (h *server) oauthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	next := q.Get("next")
	if !safeNext(next) {
		h.d.Log.Warn("h5: oauth refused", "reason", "bad next")
		h.problem(w, http.StatusBadRequest, h5LinkInvalid)
		return
	}
	c, err := r.Cookie(h5StateCookie)
	state := q.Get("state")
	if err != nil || state == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		h.d.Log.Info("h5: oauth refused", "reason", "state")
		h.problem(w, http.StatusForbidden, h5LoginFailed)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: h5StateCookie, Value: "", Path: "/h5/oauth", MaxAge: -1, HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteLaxMode})
	code := q.Get("code")
	if code == "" {
		h.problem(w, http.StatusForbidden, h5LoginFailed)
		return
	}
	openid, err := h.exchangeCode(r.Context(), code)
	if err != nil {
		h.d.Log.Warn("h5: oauth exchange failed", "err", err)
		h.problem(w, http.StatusBadGateway, h5LoginFailed)
		return
	}
	if stationPagePath.MatchString(next) {
		// A station's page is for any follower, deputy or not.
		h.setFollower(w, openid)
		h.d.Log.Info("h5: follower session started")
		http.Redirect(w, r, next, http.StatusFound)
		return
	}
	d, err := h.d.Services.Access.SignIn(r.Context(), openid)
	switch {
	case errors.Is(err, core.ErrNotBound):
		h.d.Log.Info("h5: oauth refused", "reason", "unbound")
		h.problem(w, http.StatusForbidden, h5Unbound)
		return
	case errors.Is(err, core.ErrTermEnded):
		h.d.Log.Info("h5: oauth refused", "reason", "terminated", "deputy", d.ID)
		h.problem(w, http.StatusForbidden, h5Ended)
		return
	case err != nil:
		h.internal(w, "deputy by openid", err)
		return
	}
	h.setSession(w, d)
	h.d.Log.Info("h5: session started", "deputy", d.ID)
	http.Redirect(w, r, next, http.StatusFound)
}

// exchangeCode trades a web-authorisation code for the user's openid. Its
// errors never carry the URL: it holds the app secret.
func (h *server) exchangeCode(ctx context.Context, code string) (string, error) {
	v := url.Values{"appid": {h.d.OAuth.AppID}, "secret": {h.d.OAuth.AppSecret}, "code": {code},
		"grant_type": {"authorization_code"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.d.OAuth.APIBase+"/sns/oauth2/access_token?"+v.Encode(), nil)
	if err != nil {
		return "", errors.New("oauth exchange: bad api base")
	}
	resp, err := h.d.HTTPClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("oauth exchange: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		OpenID  string `json:"openid"`
		ErrCode int    `json:"errcode"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("oauth exchange: http %d", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&out); err != nil {
		return "", fmt.Errorf("oauth exchange: %w", err)
	}
	if out.ErrCode != 0 || out.OpenID == "" {
		return "", fmt.Errorf("oauth exchange: errcode %d", out.ErrCode)
	}
	return out.OpenID, nil
}
