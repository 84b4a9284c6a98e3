package bot_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"deputybot/bot"
	"deputybot/core"
	"deputybot/handlers/wechat"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/templates"
	"deputybot/testkit"
	"deputybot/wechatsim"
)

const (
	testAppID  = "wx2c2769f8efd9abc2"
	testSecret = "test-secret"
	testToken  = "spamtest"
	testAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// rig is a bot wired to a fake WeChat platform: the sim's API behind one
// test server, the bot's /wechat behind another.
type rig struct {
	db      *storage.DB
	sim     *wechatsim.Sim
	gw      *bot.Gateway
	router  *bot.Router
	botURL  string
	apiURL  string
	handler *switchHandler
}

func apiBase(t *testing.T, r *rig) string { return r.apiURL }

// switchHandler lets a test replace the router with a slow or failing one.
type switchHandler struct{ h atomic.Pointer[bot.Handler] }

func (s *switchHandler) set(h bot.Handler) { s.h.Store(&h) }

func (s *switchHandler) Handle(ctx context.Context, in bot.Inbound) (string, error) {
	return (*s.h.Load()).Handle(ctx, in)
}

type rigOptions struct {
	mode        wechatsim.Mode
	replyWithin time.Duration
	deliveries  int
	inbox       func(*storage.DB) bot.Inbox // the dedupe records (default db)
}

func newRig(t testing.TB, db *storage.DB, o rigOptions) *rig {
	t.Helper()
	sim := wechatsim.New(wechatsim.Config{
		AppID: testAppID, AppSecret: testSecret, Token: testToken, EncodingAESKey: testAESKey,
		Mode: o.mode, Deliveries: max(o.deliveries, 1), ReplyTimeout: 5 * time.Second,
	})
	t.Cleanup(sim.Close)
	api := httptest.NewServer(sim.Handler())
	t.Cleanup(api.Close)
	client, err := bot.NewClient(bot.ClientConfig{AppID: testAppID, AppSecret: testSecret, APIBase: api.URL, Timeout: 5 * time.Second}, db)
	if err != nil {
		t.Fatal(err)
	}
	router := bot.NewRouter(core.New(db, core.Options{Loc: time.UTC}), db, templates.Default(), quiet, 0)
	router.Media = client
	sw := &switchHandler{}
	sw.set(router)
	// An account in plaintext mode has no EncodingAESKey configured: with
	// one, deputybot takes encrypted messages only.
	key := testAESKey
	if o.mode == wechatsim.ModePlain {
		key = ""
	}
	var inbox bot.Inbox = db
	if o.inbox != nil {
		inbox = o.inbox(db)
	}
	gw := &bot.Gateway{
		Wire:  bot.Wire{Token: testToken, EncodingAESKey: key, AppID: testAppID},
		Inbox: inbox, Nonces: db, Handler: sw, Sender: client, Log: quiet, ReplyWithin: o.replyWithin,
	}
	srv := httptest.NewServer(wechat.Handler(gw, quiet))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = gw.Wait(context.Background()) })
	sim.SetCallbackURL(srv.URL)
	return &rig{db: db, sim: sim, gw: gw, router: router, botURL: srv.URL, apiURL: api.URL, handler: sw}
}

func addDeputy(t testing.TB, db *storage.DB, name, phone string) model.Deputy {
	t.Helper()
	d := model.Deputy{Name: name, Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: phone}
	if err := db.CreateDeputy(context.Background(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// replyText returns the text of a passive reply, failing on an error.
func replyText(t *testing.T) func(wechatsim.Reply, error) string {
	return func(r wechatsim.Reply, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if r.Msg == nil {
			return ""
		}
		return r.Msg.Text
	}
}

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }

func TestOfficialSampleDecryptsAndVerifies(t *testing.T) {
	const encrypt = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
	w := bot.Wire{Token: testToken, EncodingAESKey: testAESKey, AppID: testAppID,
		Clock: testkit.NewClockAt(time.Unix(1409735669, 0))}
	q := url.Values{
		"signature":     {wechatsim.Signature(testToken, "1409735669", "1320562132")},
		"timestamp":     {"1409735669"},
		"nonce":         {"1320562132"},
		"encrypt_type":  {"aes"},
		"msg_signature": {"5d197aaffba7e9b25a30732f161a50dee96bd5fa"},
	}
	body := []byte("<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>")
	plain, encrypted, err := w.Open(q, body)
	if err != nil || !encrypted {
		t.Fatalf("open: %v (encrypted=%v)", err, encrypted)
	}
	in, err := bot.ParseInbound(plain)
	if err != nil {
		t.Fatal(err)
	}
	if in.Content != "abcdteT" || in.MsgID != 6054768590064713728 {
		t.Fatalf("decrypted %+v", in)
	}
	q.Set("msg_signature", "0000000000000000000000000000000000000000")
	if _, _, err := w.Open(q, body); err != bot.ErrBadSignature {
		t.Fatalf("a wrong msg_signature gives %v", err)
	}
	// A reply sealed by the bot opens with the independent implementation.
	sealed, err := w.Seal([]byte("<xml><Content>好</Content></xml>"), time.Unix(1409735669, 0))
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Encrypt, MsgSignature, Nonce string
		TimeStamp                    string
	}
	if err := xmlUnmarshal(sealed, &env); err != nil {
		t.Fatal(err)
	}
	if wechatsim.Signature(testToken, env.TimeStamp, env.Nonce, env.Encrypt) != env.MsgSignature {
		t.Fatal("the reply's MsgSignature does not verify")
	}
	back, err := wechatsim.Decrypt(testAESKey, testAppID, env.Encrypt)
	if err != nil || !strings.Contains(string(back), "好") {
		t.Fatalf("independent decrypt: %q %v", back, err)
	}
}

func TestEveryModeAnswersThroughTheRealHandler(t *testing.T) {
	for _, mode := range []wechatsim.Mode{wechatsim.ModePlain, wechatsim.ModeCompatible, wechatsim.ModeSafe} {
		t.Run(mode.String(), func(t *testing.T) {
			r := newRig(t, storagetest.Open(t, storage.SQLite), rigOptions{mode: mode})
			ctx := context.Background()
			u := r.sim.User("o-mode-user")
			if got := replyText(t)(u.Follow(ctx)); !strings.Contains(got, "欢迎关注") {
				t.Fatalf("follow answered %q", got)
			}
			if got := replyText(t)(u.SendText(ctx, "帮助")); !strings.Contains(got, "绑定") {
				t.Fatalf("帮助 answered %q", got)
			}
			f, err := r.db.GetFollower(ctx, "o-mode-user")
			if err != nil || !f.Following || !f.LastInboundAt.Valid {
				t.Fatalf("follower %+v %v", f, err)
			}
		})
	}
}

func countInbound(t *testing.T, db *storage.DB) int {
	t.Helper()
	n, err := db.CountRows(context.Background(), "wechat_inbound")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestARedeliveredMessageHasOneEffectAndTheSameReply(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		u := r.sim.User("o-dedupe")
		replyText(t)(u.Follow(ctx))
		before := countInbound(t, db)
		var replies []string
		for i := 0; i < 3; i++ {
			replies = append(replies, replyText(t)(u.SendTextWithID(ctx, "绑定", 777001)))
		}
		if replies[0] == "" || replies[0] != replies[1] || replies[1] != replies[2] {
			t.Fatalf("three deliveries answered %q", replies)
		}
		if got := countInbound(t, db) - before; got != 1 {
			t.Fatalf("%d stored messages for three deliveries, want 1", got)
		}
		conv, err := db.GetConversation(ctx, "o-dedupe")
		if err != nil || conv.Version != 1 || conv.Step != "name" {
			t.Fatalf("the conversation moved more than once: %+v %v", conv, err)
		}
	})
}

func TestTwoInstancesOnOneMariaDBCatchEachOthersDuplicates(t *testing.T) {
	dsn := storagetest.NewMySQLDatabase(t)
	open := func() *storage.DB {
		db, err := storage.Open(context.Background(), "mysql", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return db
	}
	a := newRig(t, open(), rigOptions{mode: wechatsim.ModeSafe})
	b := newRig(t, open(), rigOptions{mode: wechatsim.ModeSafe})
	ctx := context.Background()
	u := a.sim.User("o-two")
	replyText(t)(u.Follow(ctx))
	first := replyText(t)(u.SendTextWithID(ctx, "绑定", 880001))
	// The same delivery lands on the other instance.
	a.sim.SetCallbackURL(b.botURL)
	second := replyText(t)(u.SendTextWithID(ctx, "绑定", 880001))
	if first == "" || first != second {
		t.Fatalf("instances answered %q and %q", first, second)
	}
	conv, err := b.db.GetConversation(ctx, "o-two")
	if err != nil || conv.Version != 1 {
		t.Fatalf("conversation %+v %v: the duplicate had a second effect", conv, err)
	}
}

// nonces numbers the nonces of signedQuery: WeChat signs each request
// with a fresh one, and a pair seen before with another body is a replay.
var nonces atomic.Int64

func signedQuery(ts time.Time) url.Values {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	nonce := strconv.FormatInt(4200+nonces.Add(1), 10)
	return url.Values{"signature": {wechatsim.Signature(testToken, stamp, nonce)}, "timestamp": {stamp}, "nonce": {nonce}}
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
	good := "<xml><ToUserName>gh</ToUserName><FromUserName>o-bad</FromUserName><CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>"
	tests := []struct {
		name   string
		query  url.Values
		body   string
		status int
		reply  string
	}{
		{"a wrong signature is refused", url.Values{"signature": {"bad"}, "timestamp": {"1"}, "nonce": {"2"}}, good, 403, ""},
		{"a missing signature is refused", url.Values{}, good, 403, ""},
		{"a stale timestamp is refused", signedQuery(time.Now().Add(-10 * time.Minute)), good, 403, ""},
		{"a 1 MiB body is refused", signedQuery(time.Now()), strings.Repeat("x", 1<<20), 413, ""},
		{"truncated XML answers success", signedQuery(time.Now()), good[:60], 200, "success"},
		{"an unknown message type answers success", signedQuery(time.Now()), "<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime></xml>", 200, "success"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(r.botURL+"?"+tt.query.Encode(), "text/xml", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || (tt.reply != "" && string(body) != tt.reply) {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, tt.reply)
			}
		})
	}
	if n := countInbound(t, db); n != 0 {
		t.Fatalf("%d messages stored from bad input", n)
	}
	// The URL check echoes only with a right signature.
	q := signedQuery(time.Now())
	q.Set("echostr", "hello123")
	resp, err := http.Get(r.botURL + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello123" {
		t.Fatalf("URL verification gave %d %q", resp.StatusCode, body)
	}
}

// blockingHandler answers only when released, like a handler stuck on a
// slow dependency.
type blockingHandler struct {
	release chan struct{}
	text    string
}

func (b *blockingHandler) Handle(ctx context.Context, _ bot.Inbound) (string, error) {
	<-b.release
	return b.text, nil
}

type panicHandler struct{}

func (panicHandler) Handle(context.Context, bot.Inbound) (string, error) { panic("boom") }

func TestASlowAnswerArrivesAsACustomerMessage(t *testing.T) {
	r := newRig(t, storagetest.Open(t, storage.SQLite), rigOptions{mode: wechatsim.ModeSafe, replyWithin: 50 * time.Millisecond})
	ctx := context.Background()
	u := r.sim.User("o-slow")
	replyText(t)(u.Follow(ctx))
	slow := &blockingHandler{release: make(chan struct{}), text: "迟到的回复"}
	r.handler.set(slow)
	rep, err := u.SendText(ctx, "你好")
	if err != nil || rep.Msg != nil || string(rep.Body) != "success" {
		t.Fatalf("a slow handler answered %v %q, want success at the deadline", err, rep.Body)
	}
	close(slow.release)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// With a 50 ms deadline a loaded machine can make the welcome late too
	// (it then also arrives as a customer message): wait for this answer.
	m, err := r.sim.WaitFor(wctx, "o-slow", func(m wechatsim.Message) bool {
		return m.Kind == wechatsim.KindCustom && m.Text == "迟到的回复"
	})
	if err != nil {
		t.Fatalf("customer message %+v %v", m, err)
	}
	// A late re-delivery of the same message does not repeat the answer.
	r.handler.set(r.router)
	rep, err = u.Redeliver(ctx)
	if err != nil || rep.Msg != nil {
		t.Fatalf("redelivery answered %+v %v", rep.Msg, err)
	}
}

func TestAPanicIsAnsweredWithSuccess(t *testing.T) {
	r := newRig(t, storagetest.Open(t, storage.SQLite), rigOptions{mode: wechatsim.ModeSafe})
	ctx := context.Background()
	u := r.sim.User("o-panic")
	replyText(t)(u.Follow(ctx))
	r.handler.set(panicHandler{})
	rep, err := u.SendText(ctx, "你好")
	if err != nil || rep.Status != 200 || string(rep.Body) != "success" {
		t.Fatalf("a panicking handler answered %d %q %v", rep.Status, rep.Body, err)
	}
}

func TestTemplateJobFinishIsRecorded(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
	ctx := context.Background()
	u := r.sim.User("o-tmpl")
	replyText(t)(u.Follow(ctx))
	client, err := bot.NewClient(bot.ClientConfig{AppID: testAppID, AppSecret: testSecret, APIBase: apiBase(t, r)}, db)
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.SendTemplate(ctx, bot.TemplateMessage{ToUser: "o-tmpl", TemplateID: "T1",
		Data: []bot.TemplateField{{Key: "thing1", Value: "常委会会议"}}, ClientMsgID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.sim.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	status, err := db.TemplateReport(ctx, id)
	if err != nil || status != "success" {
		t.Fatalf("report for %d: %q %v", id, status, err)
	}
}

func TestSplitReply(t *testing.T) {
	long := strings.Repeat("代表建议办理进度查询结果。\n", 200)
	parts := bot.SplitReply(long, bot.MaxPassiveReply)
	if len(parts) < 2 {
		t.Fatalf("%d bytes split into %d parts", len(long), len(parts))
	}
	var joined int
	for _, p := range parts {
		if len(p) > bot.MaxPassiveReply || !utf8.ValidString(p) {
			t.Fatalf("a part of %d bytes (valid UTF-8: %v)", len(p), utf8.ValidString(p))
		}
		joined += utf8.RuneCountInString(strings.ReplaceAll(p, "\n", ""))
	}
	if want := utf8.RuneCountInString(strings.ReplaceAll(long, "\n", "")); joined != want {
		t.Fatalf("lost text: %d of %d characters", joined, want)
	}
	if got := bot.SplitReply(strings.Repeat("长", 1000), 100); len(got) != 31 || len(got[0]) != 99 {
		t.Fatalf("a line without breaks split into %d parts, first %d bytes", len(got), len(got[0]))
	}
}

// longHandler answers with more than one WeChat message can hold.
type longHandler struct{}

func (longHandler) Handle(context.Context, bot.Inbound) (string, error) {
	return strings.Repeat("第一部分。\n", 150) + "结尾", nil
}

func TestALongAnswerContinuesAsCustomerMessages(t *testing.T) {
	r := newRig(t, storagetest.Open(t, storage.SQLite), rigOptions{mode: wechatsim.ModeSafe})
	ctx := context.Background()
	u := r.sim.User("o-long")
	replyText(t)(u.Follow(ctx))
	r.handler.set(longHandler{})
	first := replyText(t)(u.SendText(ctx, "我的建议"))
	if len(first) == 0 || len(first) > bot.MaxPassiveReply {
		t.Fatalf("passive part of %d bytes", len(first))
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	m, err := r.sim.WaitFor(wctx, "o-long", func(m wechatsim.Message) bool {
		return m.Kind == wechatsim.KindCustom && strings.HasSuffix(m.Text, "结尾")
	})
	if err != nil {
		t.Fatalf("the rest did not arrive: %v", err)
	}
	_ = m
}

// flakyHandler fails its first call, like a handler whose database blinked.
type flakyHandler struct {
	calls atomic.Int32
	next  bot.Handler
}

func (f *flakyHandler) Handle(ctx context.Context, in bot.Inbound) (string, error) {
	if f.calls.Add(1) == 1 {
		return "", errors.New("database unavailable")
	}
	return f.next.Handle(ctx, in)
}

func TestAHandlerErrorAsksWeChatToDeliverAgain(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
	ctx := context.Background()
	u := r.sim.User("o-flaky")
	replyText(t)(u.Follow(ctx))
	r.handler.set(&flakyHandler{next: r.router})
	rep, err := u.SendTextWithID(ctx, "帮助", 990001)
	var se *wechatsim.StatusError
	if !errors.As(err, &se) && rep.Status != http.StatusServiceUnavailable {
		t.Fatalf("the failed attempt answered %d %q %v, want 503", rep.Status, rep.Body, err)
	}
	// The claim is released in the background; WeChat's next delivery is handled.
	var got string
	for i := 0; i < 200 && !strings.Contains(got, "您可以回复"); i++ {
		rep, err = u.SendTextWithID(ctx, "帮助", 990001)
		if err == nil && rep.Msg != nil {
			got = rep.Msg.Text
		}
	}
	if !strings.Contains(got, "您可以回复") {
		t.Fatalf("the re-delivery answered %q", got)
	}
}

func TestTwoTemplateReportsInOneSecondAreBothKept(t *testing.T) {
	a := bot.Inbound{FromUserName: "o", MsgType: "event", Event: "TEMPLATESENDJOBFINISH", CreateTime: 100, EventMsgID: 1}
	b := a
	b.EventMsgID = 2
	if a.DedupeKey() == b.DedupeKey() {
		t.Fatal("two reports in the same second share a dedupe key")
	}
}
