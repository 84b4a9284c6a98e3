package wechatsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// authorize opens the fake authorize page without following its redirect.
func authorize(t *testing.T, base string, q url.Values, cookie *http.Cookie) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", base+pathOAuthAuthorize+"?"+q.Encode(), nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func authorizeQuery(redirect, openid string) url.Values {
	q := url.Values{"appid": {testAppID}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {"snsapi_base"}, "state": {"st4te"}}
	if openid != "" {
		q.Set("openid", openid)
	}
	return q
}

// codeOf returns the code and state of an authorize redirect.
func codeOf(t *testing.T, resp *http.Response) (code, state string, back *url.URL) {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("authorize: status %d, want 302: %s", resp.StatusCode, b)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("code"), u.Query().Get("state"), u
}

func exchange(t *testing.T, api string, secret, code string) map[string]any {
	t.Helper()
	q := url.Values{"appid": {testAppID}, "secret": {secret}, "code": {code}, "grant_type": {"authorization_code"}}
	resp, err := http.Get(api + pathOAuthToken + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOAuthAuthorizeAndExchange(t *testing.T) {
	s, clk, api, _ := newTestSim(t, ModePlain)
	const back = "https://bot.example/h5/oauth?next=%2Fh5%2Fm%2Fmeetings"

	t.Run("the openid parameter names the user and the code exchanges once for that openid", func(t *testing.T) {
		code, state, u := codeOf(t, authorize(t, api.URL, authorizeQuery(back, "oid-alice"), nil))
		if code == "" || state != "st4te" || u.Host != "bot.example" || u.Query().Get("next") != "/h5/m/meetings" {
			t.Fatalf("redirect %s", u)
		}
		got := exchange(t, api.URL, testSecret, code)
		if got["openid"] != "oid-alice" || got["scope"] != "snsapi_base" || got["expires_in"] != float64(7200) ||
			got["access_token"] == "" || got["refresh_token"] == "" {
			t.Fatalf("exchange: %v", got)
		}
		if again := exchange(t, api.URL, testSecret, code); errcode(again) != 40029 {
			t.Fatalf("second exchange: %v, want 40029", again)
		}
	})
	t.Run("the cookie names the user when there is no parameter", func(t *testing.T) {
		code, _, _ := codeOf(t, authorize(t, api.URL, authorizeQuery(back, ""), &http.Cookie{Name: OAuthUserCookie, Value: "oid-bob"}))
		if got := exchange(t, api.URL, testSecret, code); got["openid"] != "oid-bob" {
			t.Fatalf("exchange: %v", got)
		}
	})
	t.Run("a wrong secret is 40125 and leaves the code usable", func(t *testing.T) {
		code, _, _ := codeOf(t, authorize(t, api.URL, authorizeQuery(back, "oid-alice"), nil))
		if got := exchange(t, api.URL, "wrong", code); errcode(got) != 40125 {
			t.Fatalf("exchange: %v, want 40125", got)
		}
		if got := exchange(t, api.URL, testSecret, code); got["openid"] != "oid-alice" {
			t.Fatalf("exchange: %v", got)
		}
	})
	t.Run("an unknown or expired code is 40029", func(t *testing.T) {
		if got := exchange(t, api.URL, testSecret, "nope"); errcode(got) != 40029 {
			t.Fatalf("exchange: %v, want 40029", got)
		}
		code := s.OAuthCode("oid-alice", "snsapi_base")
		clk.Advance(OAuthCodeTTL + time.Second)
		if got := exchange(t, api.URL, testSecret, code); errcode(got) != 40029 {
			t.Fatalf("expired code: %v, want 40029", got)
		}
	})
	t.Run("bad parameters get WeChat's error page", func(t *testing.T) {
		for name, mutate := range map[string]func(url.Values){
			"wrong appid":         func(q url.Values) { q.Set("appid", "wx_other") },
			"relative redirect":   func(q url.Values) { q.Set("redirect_uri", "/h5/oauth") },
			"wrong response type": func(q url.Values) { q.Set("response_type", "token") },
			"unknown scope":       func(q url.Values) { q.Set("scope", "snsapi_all") },
		} {
			q := authorizeQuery(back, "oid-alice")
			mutate(q)
			if resp := authorize(t, api.URL, q, nil); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", name, resp.StatusCode)
			}
		}
	})
	t.Run("without a user it offers the simulated users to pick from", func(t *testing.T) {
		s.User("oid-carol")
		resp := authorize(t, api.URL, authorizeQuery(back, ""), nil)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "oid-carol") ||
			!strings.Contains(string(b), `href="authorize?`) {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
	})
}
