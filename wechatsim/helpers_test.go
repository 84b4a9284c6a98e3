package wechatsim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testAppID  = "wx2c2769f8efd9abc2"
	testSecret = "test-secret"
	testToken  = "spamtest"
	testAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

// fakeClock is an injectable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// inbound is what the test bot received in one callback.
type inbound struct {
	ToUserName   string
	FromUserName string
	MsgType      string
	Content      string
	MsgId        int64 `xml:"MsgId"`
	MsgID        int64 `xml:"MsgID"` // TEMPLATESENDJOBFINISH spells it MsgID
	Event        string
	EventKey     string
	Status       string
}

// testBot is a tiny callback implementation built on this package's own
// crypto: signature check, decrypt, echo reply.
type testBot struct {
	t     testing.TB
	mode  Mode
	token string
	srv   *httptest.Server

	// reply decides the passive reply XML body (inner, before encryption);
	// "" answers "success".
	reply func(in inbound) string
	// plainReply makes the bot answer without encryption even in AES modes.
	plainReply bool
	// corruptSig breaks the reply MsgSignature.
	corruptSig bool
	// hold, if set, is called before answering (e.g. to hang).
	hold func(r *http.Request, n int)

	mu  sync.Mutex
	got []inbound
	raw [][]byte // raw request bodies
	ch  chan inbound
}

func newTestBot(t testing.TB, mode Mode) *testBot {
	b := &testBot{t: t, mode: mode, token: testToken, ch: make(chan inbound, 1024)}
	b.reply = func(in inbound) string {
		if in.MsgType == "text" {
			return textReply(in, "收到："+in.Content)
		}
		return ""
	}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.srv.Close)
	return b
}

func textReply(in inbound, text string) string {
	return fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content></xml>",
		in.FromUserName, in.ToUserName, cdataEscape(text))
}

func (b *testBot) URL() string { return b.srv.URL + "/wechat" }

func (b *testBot) received() []inbound {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]inbound(nil), b.got...)
}

func (b *testBot) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if Signature(b.token, ts, nonce) != q.Get("signature") {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	if r.Method == http.MethodGet {
		io.WriteString(w, q.Get("echostr"))
		return
	}
	body, _ := io.ReadAll(r.Body)
	inner := body
	if q.Get("encrypt_type") == "aes" {
		var env struct{ Encrypt string }
		if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
			http.Error(w, "no Encrypt", http.StatusBadRequest)
			return
		}
		if Signature(b.token, ts, nonce, env.Encrypt) != q.Get("msg_signature") {
			http.Error(w, "bad msg_signature", http.StatusForbidden)
			return
		}
		var err error
		inner, err = Decrypt(testAESKey, testAppID, env.Encrypt)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	var in inbound
	if err := xml.Unmarshal(inner, &in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	b.got = append(b.got, in)
	b.raw = append(b.raw, body)
	n := len(b.got)
	b.mu.Unlock()
	select {
	case b.ch <- in:
	default:
	}
	if b.hold != nil {
		b.hold(r, n)
	}
	out := b.reply(in)
	if out == "" {
		io.WriteString(w, "success")
		return
	}
	if b.mode == ModePlain || b.plainReply {
		io.WriteString(w, out)
		return
	}
	enc, err := Encrypt(testAESKey, testAppID, []byte(out))
	if err != nil {
		b.t.Error(err)
		return
	}
	ts2, nonce2 := "1700000000", "424242"
	sig := Signature(b.token, ts2, nonce2, enc)
	if b.corruptSig {
		sig = strings.Repeat("0", 40)
	}
	fmt.Fprintf(w, "<xml><Encrypt><![CDATA[%s]]></Encrypt><MsgSignature><![CDATA[%s]]></MsgSignature>"+
		"<TimeStamp>%s</TimeStamp><Nonce><![CDATA[%s]]></Nonce></xml>", enc, sig, ts2, nonce2)
}

// newTestSim creates a simulator with a fake clock, its API server and a bot.
func newTestSim(t testing.TB, mode Mode) (*Sim, *fakeClock, *httptest.Server, *testBot) {
	t.Helper()
	clk := newClock()
	bot := newTestBot(t, mode)
	s := New(Config{AppID: testAppID, AppSecret: testSecret, Token: testToken, EncodingAESKey: testAESKey,
		Mode: mode, CallbackURL: bot.URL(), Now: clk.Now, ReplyTimeout: 2 * time.Second})
	t.Cleanup(s.Close)
	api := httptest.NewServer(s.Handler())
	t.Cleanup(api.Close)
	return s, clk, api, bot
}

// call performs an API call and decodes the JSON answer.
func call(t testing.TB, api *httptest.Server, method, path string, body any) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, api.URL+path, rd)
	resp, err := api.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: decode: %v", method, path, err)
	}
	return out
}

func errcode(m map[string]any) int {
	v, _ := m["errcode"].(float64)
	return int(v)
}

// token fetches a stable token.
func token(t testing.TB, api *httptest.Server) string {
	t.Helper()
	r := call(t, api, "POST", "/cgi-bin/stable_token", map[string]any{
		"grant_type": "client_credential", "appid": testAppID, "secret": testSecret})
	tok, _ := r["access_token"].(string)
	if tok == "" {
		t.Fatalf("no token: %v", r)
	}
	return tok
}
