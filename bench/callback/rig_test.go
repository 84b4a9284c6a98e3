package callback_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/core"
	"deputybot/handlers"
	"deputybot/handlers/wechat"
	"deputybot/storage"
	"deputybot/templates"
	"deputybot/wechatsim"
)

// The simulated account, shared by the platform and both handlers.
const (
	appID  = "wxbenchcallback01"
	secret = "bench-secret"
	token  = "benchtoken"
	aesKey = "BenchCallbackKey0123456789abcdefghijklmnopq"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newSim returns the user side of the platform, posting to callback with
// one delivery per message (no retries: a failure is counted, not hidden).
func newSim(tb testing.TB, callback string) *wechatsim.Sim {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// Enough idle connections for 128 clients: no reconnect per request.
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 512, 512
	sim := wechatsim.New(wechatsim.Config{
		AppID: appID, AppSecret: secret, Token: token, EncodingAESKey: aesKey, Mode: wechatsim.ModeSafe,
		CallbackURL: callback, Deliveries: 1, ReplyTimeout: 5 * time.Second,
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: tr},
	})
	sim.SetJobFinishReports(false)
	tb.Cleanup(sim.Close)
	return sim
}

// deputybotServer is the production stack of serve for /wechat: the
// root handler (request log, metrics, panic recovery) around
// handlers.WeChat, the gateway and the router, on db. Its WeChat API
// (for customer messages, never needed by these benchmarks) is a wechatsim.
func deputybotServer(tb testing.TB, db *storage.DB) string {
	tb.Helper()
	api := httptest.NewServer(newSim(tb, "").Handler())
	tb.Cleanup(api.Close)
	client, err := bot.NewClient(bot.ClientConfig{AppID: appID, AppSecret: secret, APIBase: api.URL, Timeout: 5 * time.Second}, db)
	if err != nil {
		tb.Fatal(err)
	}
	router := bot.NewRouter(core.New(db, core.Options{Loc: time.FixedZone("CST", 8*3600)}), db, templates.Default(), quiet, 30*time.Minute)
	gw := &bot.Gateway{
		Wire:  bot.Wire{Token: token, EncodingAESKey: aesKey, AppID: appID},
		Inbox: db, Handler: router, Sender: client, Log: quiet,
	}
	h := handlers.New(handlers.Deps{Log: quiet, DB: db, WeChat: wechat.Handler(gw, quiet), Metrics: handlers.NewMetrics(db)})
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	tb.Cleanup(func() { _ = gw.Wait(context.Background()) })
	return srv.URL + "/wechat"
}

// reference is the least a correct callback can do: check both
// signatures, decrypt, record the message's dedupe key with one INSERT
// IGNORE, answer "success". For TEMPLATESENDJOBFINISH it also applies
// the status to the delivery with one UPDATE. It shares deputybot's
// database and connection pool.
type reference struct {
	db             *sql.DB
	insert, update string
	// reply, when set, is answered as an encrypted passive text message
	// instead of "success" (the callback mix's reference).
	reply string
}

func newReference(tb testing.TB, db *storage.DB) string {
	tb.Helper()
	ref := &reference{db: db.SQL(),
		insert: "INSERT OR IGNORE INTO bench_ref_inbound (dedupe_key, created_at) VALUES (?, ?)",
		update: "UPDATE deliveries SET status = 'delivered', delivered_at = ? WHERE msgid = ? AND status = 'sent'"}
	ddl := "CREATE TABLE bench_ref_inbound (dedupe_key VARCHAR(191) NOT NULL PRIMARY KEY, created_at DATETIME(6) NOT NULL)"
	if db.Dialect() == storage.MySQL {
		ref.insert = "INSERT IGNORE INTO bench_ref_inbound (dedupe_key, created_at) VALUES (?, ?)"
		ddl += " ENGINE=InnoDB"
	}
	if _, err := ref.db.Exec(ddl); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(ref)
	tb.Cleanup(srv.Close)
	return srv.URL + "/wechat"
}

type refMessage struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Event        string `xml:"Event"`
	MsgID        int64  `xml:"MsgId"`
	EventMsgID   int64  `xml:"MsgID"`
	Status       string `xml:"Status"`
}

func (ref *reference) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if wechatsim.Signature(token, ts, nonce) != q.Get("signature") {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var env struct{ Encrypt string }
	if xml.Unmarshal(body, &env) != nil || wechatsim.Signature(token, ts, nonce, env.Encrypt) != q.Get("msg_signature") {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	plain, err := wechatsim.Decrypt(aesKey, appID, env.Encrypt)
	var m refMessage
	if err != nil || xml.Unmarshal(plain, &m) != nil {
		_, _ = io.WriteString(w, "success")
		return
	}
	key := "m:" + strconv.FormatInt(m.MsgID, 10)
	if m.MsgType == "event" {
		key = "e:" + m.FromUserName + ":" + strconv.FormatInt(m.CreateTime, 10) + ":" + m.Event + ":" + strconv.FormatInt(m.EventMsgID, 10)
	}
	now := time.Now().UTC()
	if _, err := ref.db.ExecContext(r.Context(), ref.insert, key, now); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if m.Event == "TEMPLATESENDJOBFINISH" && m.Status == "success" {
		if _, err := ref.db.ExecContext(r.Context(), ref.update, now, m.EventMsgID); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
	}
	if ref.reply == "" {
		_, _ = io.WriteString(w, "success")
		return
	}
	// A passive reply as WeChat wants it in safe mode: the text message
	// encrypted, signed with the token, timestamp and nonce.
	var buf bytes.Buffer
	buf.WriteString("<xml><ToUserName><![CDATA[" + m.FromUserName + "]]></ToUserName><FromUserName><![CDATA[" + m.ToUserName +
		"]]></FromUserName><CreateTime>" + strconv.FormatInt(now.Unix(), 10) + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[")
	buf.WriteString(ref.reply)
	buf.WriteString("]]></Content></xml>")
	enc, err := wechatsim.Encrypt(aesKey, appID, buf.Bytes())
	if err != nil {
		http.Error(w, "encrypt", http.StatusInternalServerError)
		return
	}
	rts := strconv.FormatInt(now.Unix(), 10)
	_, _ = io.WriteString(w, "<xml><Encrypt><![CDATA["+enc+"]]></Encrypt><MsgSignature><![CDATA["+wechatsim.Signature(token, rts, nonce, enc)+
		"]]></MsgSignature><TimeStamp>"+rts+"</TimeStamp><Nonce><![CDATA["+nonce+"]]></Nonce></xml>")
}

// run is the outcome of a load: request latencies and wall time.
type run struct {
	lat      []time.Duration
	elapsed  time.Duration
	failed   int64
	firstErr error
}

func (r *run) add(o run) {
	r.lat = append(r.lat, o.lat...)
	r.elapsed += o.elapsed
	r.failed += o.failed
	if r.firstErr == nil {
		r.firstErr = o.firstErr
	}
}

func (r *run) rate() float64 { return float64(len(r.lat)) / r.elapsed.Seconds() }

// pct returns the p-th latency quantile in milliseconds (sorts once).
func (r *run) pct(p float64) float64 {
	if !slices.IsSorted(r.lat) {
		slices.Sort(r.lat)
	}
	return float64(r.lat[int(float64(len(r.lat)-1)*p)].Microseconds()) / 1000
}

func (r *run) String() string {
	return fmt.Sprintf("%7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  max %6.1f ms", r.rate(), r.pct(0.5), r.pct(0.99), r.pct(1))
}

// load runs n requests from clients concurrent senders; send(c, i) is the
// i-th request, made by sender c.
func load(clients, n int, send func(c, i int) error) run {
	out := run{lat: make([]time.Duration, n)}
	var next atomic.Int64
	var failed atomic.Int64
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				t0 := time.Now()
				err := send(c, i)
				out.lat[i] = time.Since(t0)
				if err != nil {
					failed.Add(1)
					once.Do(func() { out.firstErr = err })
				}
			}
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	out.failed = failed.Load()
	return out
}
