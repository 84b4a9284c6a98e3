package wechatsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestPhonePage(t *testing.T) {
	s, _, _, _ := newTestSim(t, ModeSafe)
	mux := http.NewServeMux()
	mux.Handle("/sim/", http.StripPrefix("/sim", s.Handler()))
	mux.Handle("/sim", http.StripPrefix("/sim", s.Handler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := noRedirect.Get(srv.URL + "/sim")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/sim/" {
		t.Fatalf("/sim: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, c := range []struct{ path, ctype, want string }{
		{"/sim/", "text/html", "微信模拟器"},
		{"/sim/app.js", "javascript", "api/"},
	} {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), c.ctype) || !strings.Contains(string(body), c.want) {
			t.Fatalf("%s: %d %s", c.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if strings.Contains(string(body), `src="/`) || strings.Contains(string(body), `href="/`) || strings.Contains(string(body), "fetch('/") {
			t.Fatalf("%s uses an absolute URL", c.path)
		}
	}
	// The API also works under the prefix.
	r, err := http.Get(srv.URL + "/sim/cgi-bin/token?grant_type=client_credential&appid=" + testAppID + "&secret=" + testSecret)
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	json.NewDecoder(r.Body).Decode(&tok)
	r.Body.Close()
	if tok["access_token"] == nil {
		t.Fatalf("token under /sim: %v", tok)
	}

	api := func(method, path string, params map[string]any) (int, map[string]any, []any) {
		t.Helper()
		var body io.Reader
		if params != nil {
			b, _ := json.Marshal(params)
			body = strings.NewReader(string(b))
		}
		req, _ := http.NewRequest(method, srv.URL+"/sim/api/"+path, body)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var obj map[string]any
		var arr []any
		if json.Unmarshal(raw, &obj) != nil {
			json.Unmarshal(raw, &arr)
		}
		return resp.StatusCode, obj, arr
	}

	_, u, _ := api("POST", "users", map[string]any{"nickname": "李代表"})
	if u["openid"] != "sim-user-1" || u["nickname"] != "李代表" {
		t.Fatalf("create user %v", u)
	}
	if code, _, _ := api("POST", "send", map[string]any{"text": "hi"}); code != 400 {
		t.Fatalf("send without openid: %d", code)
	}
	if _, r, _ := api("POST", "follow", map[string]any{"openid": "sim-user-1"}); r["ok"] != true {
		t.Fatalf("follow %v", r)
	}
	_, r2, _ := api("POST", "send", map[string]any{"openid": "sim-user-1", "text": "你好"})
	if r2["ok"] != true || r2["reply"].(map[string]any)["text"] != "收到：你好" {
		t.Fatalf("send %v", r2)
	}
	_, m, _ := api("GET", "messages?openid=sim-user-1&after=0", nil)
	msgs := m["messages"].([]any)
	if len(msgs) != 3 || m["user"].(map[string]any)["following"] != true {
		t.Fatalf("messages %v", m)
	}
	last := msgs[2].(map[string]any)["seq"].(float64)

	// Long poll: waits for the next message.
	done := make(chan []any, 1)
	go func() {
		_, m, _ := api("GET", "messages?openid=sim-user-1&wait=10&after="+url.QueryEscape(jsonNum(last)), nil)
		done <- m["messages"].([]any)
	}()
	api("POST", "click", map[string]any{"openid": "sim-user-1", "key": "HELP"})
	if got := <-done; len(got) == 0 || got[0].(map[string]any)["event"] != "CLICK" {
		t.Fatalf("long poll %v", got)
	}

	if _, _, users := api("GET", "users", nil); len(users) != 1 {
		t.Fatalf("users %v", users)
	}
	if _, st, _ := api("GET", "state", nil); st["mode"] != "safe" {
		t.Fatalf("state %v", st)
	}
	if _, mm, _ := api("GET", "menu", nil); mm["button"] == nil {
		t.Fatalf("menu %v", mm)
	}
	_, _, fl := api("POST", "faults", map[string]any{"path": pathTemplate, "errcode": "-1", "rate": "1", "count": 2})
	if len(fl) != 1 || len(s.Faults()) != 1 || s.Faults()[0].Count != 2 {
		t.Fatalf("faults %v", fl)
	}
	if code, _, _ := api("POST", "faults", map[string]any{"path": "/etc/passwd", "errcode": "-1"}); code != 400 {
		t.Fatalf("bad fault accepted: %d", code)
	}
	if _, _, fl := api("DELETE", "faults", nil); len(fl) != 0 || len(s.Faults()) != 0 {
		t.Fatalf("clear %v", fl)
	}
	// Form/query style for manual use.
	resp, _ = http.PostForm(srv.URL+"/sim/api/faults", url.Values{"errcode": {"45009"}, "count": {"1"}})
	resp.Body.Close()
	if len(s.Faults()) != 1 || s.Faults()[0].ErrCode != 45009 {
		t.Fatalf("form fault %v", s.Faults())
	}
	if _, r, _ := api("POST", "expire_tokens", map[string]any{}); r["ok"] != true {
		t.Fatalf("expire %v", r)
	}
}

func jsonNum(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}
