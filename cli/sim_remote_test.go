package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startServe runs serve with args and env until the test ends, and returns
// its base URL and its start output so far.
func startServe(t *testing.T, env []string, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(ctx, append([]string{"serve"}, args...), &out, &errb, env) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop within 15 s")
		}
	})
	running := regexp.MustCompile(`running at (http://\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, errb.String())
		default:
		}
		if m := running.FindStringSubmatch(errb.String()); m != nil && strings.Contains(errb.String(), "Ctrl-C") {
			return m[1], &errb
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", errb.String())
		}
		<-time.After(10 * time.Millisecond)
	}
}

// otherAddress is an address of this machine that is not loopback, or "".
func otherAddress() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

func reachable(host, port string) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), 2*time.Second)
	if err == nil {
		c.Close()
	}
	return err == nil
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestSimulatorModeListensOnLoopbackAndSaysSo: with http.addr on every
// interface, simulator mode listens on 127.0.0.1 only and says so at
// start (the simulator lets whoever reaches it act as any WeChat user);
// the start page shows the first admin's one-time password until it has
// been used to log in, then no more.
func TestSimulatorModeListensOnLoopbackAndSaysSo(t *testing.T) {
	base, out := startServe(t, append(sqliteEnv(t), "DEPUTYBOT_HTTP_ADDR=:0"))
	if !strings.Contains(out.String(), "listening on 127.0.0.1 only (not :0)") || !strings.Contains(out.String(), "--allow-remote-sim") {
		t.Fatalf("the start output does not say where it listens:\n%s", out.String())
	}
	u, _ := url.Parse(base)
	if other := otherAddress(); other != "" && reachable(other, u.Port()) {
		t.Fatalf("simulator mode is reachable on %s:%s", other, u.Port())
	}
	password := regexp.MustCompile(`one-time password (\S+)`).FindStringSubmatch(out.String())
	if password == nil {
		t.Fatalf("no one-time password in the start output:\n%s", out.String())
	}
	plain := &http.Client{}
	if _, page := get(t, plain, base+"/"); !strings.Contains(page, password[1]) {
		t.Fatalf("the start page does not show the unused one-time password:\n%s", page)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(base+"/admin/login", url.Values{"username": {"admin"}, "password": {password[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Request.URL.Path, "/admin/password") {
		t.Fatalf("login with the one-time password: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	if _, page := get(t, plain, base+"/"); strings.Contains(page, password[1]) || strings.Contains(page, "一次性密码") {
		t.Fatalf("the start page still shows the used one-time password:\n%s", page)
	}
}

// TestARemoteSimulatorNeedsItsKey: with --allow-remote-sim the simulator
// listens on http.addr as given and says so; the phone page and its API
// (every WeChat user's transcript) answer 403 without the key printed at
// start, the key link lets a browser in, and the start page never shows
// the one-time password.
func TestARemoteSimulatorNeedsItsKey(t *testing.T) {
	base, out := startServe(t, append(sqliteEnv(t), "DEPUTYBOT_HTTP_ADDR=:0"), "--allow-remote-sim")
	key := regexp.MustCompile(`/sim/\?key=([0-9a-f]+)`).FindStringSubmatch(out.String())
	if key == nil || !strings.Contains(out.String(), "reachable from other machines") {
		t.Fatalf("the start output does not give the key:\n%s", out.String())
	}
	u, _ := url.Parse(base)
	if other := otherAddress(); other != "" && !reachable(other, u.Port()) {
		t.Fatalf("--allow-remote-sim, yet not reachable on %s:%s", other, u.Port())
	}
	plain := &http.Client{}
	for _, p := range []string{"/sim/api/messages?openid=o-anyone", "/sim/api/state", "/sim/", "/sim/connect/oauth2/authorize?appid=x"} {
		if status, body := get(t, plain, base+p); status != http.StatusForbidden || !strings.Contains(body, "访问密钥") {
			t.Fatalf("%s without the key: %d %.200s", p, status, body)
		}
	}
	if status, body := get(t, plain, base+"/sim/api/state?key=wrong"); status != http.StatusForbidden {
		t.Fatalf("a wrong key: %d %.200s", status, body)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if status, body := get(t, c, base+"/sim/?key="+key[1]); status != http.StatusOK || strings.Contains(body, "访问密钥") {
		t.Fatalf("the key link: %d %.200s", status, body)
	}
	if status, _ := get(t, c, base+"/sim/api/state"); status != http.StatusOK {
		t.Fatalf("the phone page's API with the key: %d", status)
	}
	if _, page := get(t, plain, base+"/"); strings.Contains(page, "一次性密码") {
		t.Fatalf("a remote simulator's start page shows the one-time password:\n%s", page)
	}
}
