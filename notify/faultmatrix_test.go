package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/core"
	"deputybot/handlers/wechat"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/templates"
	"deputybot/wechatsim"
)

// The fault matrix of issue 8: token expiry mid-campaign, 45009 bursts,
// 10% -1 answers and timeouts after WeChat read (and acted on) the
// request. Every delivery must end sent, delivered or failed with a
// reason, and no deputy may get a second message, for template messages
// (client_msg_id dedupes within WeChat's 10-minute window) and customer
// messages (which have no dedupe key at all: WeChat's
// message/custom/send takes touser, msgtype and the content, nothing
// else, so a send whose outcome is unknown is never repeated).

const (
	tplSendPath    = "/cgi-bin/message/template/send"
	customSendPath = "/cgi-bin/message/custom/send"
)

// apiLog records what the simulated WeChat answered to each send: the
// errcode, or "timeout" when it acted and never answered.
type apiLog struct {
	mu      sync.Mutex
	answers map[string]map[string]int // path -> "0", "-1", "45009", "42001", "timeout" -> count
}

func (l *apiLog) count(path, answer string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.answers[path][answer]
}

// waitCount waits until the log holds n answers of a kind: a timed-out
// request is logged when its handler returns, just after the client gave up.
func (l *apiLog) waitCount(path, answer string, n int) int {
	deadline := time.Now().Add(5 * time.Second)
	for l.count(path, answer) < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	return l.count(path, answer)
}

func (l *apiLog) String(path string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprint(l.answers[path])
}

// recordingWriter keeps the answer's body beside writing it.
type recordingWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}

// wrap puts the log around the simulator's API handler.
func (l *apiLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != tplSendPath && r.URL.Path != customSendPath {
			h.ServeHTTP(w, r)
			return
		}
		rw := &recordingWriter{ResponseWriter: w}
		h.ServeHTTP(rw, r)
		answer := "timeout"
		if rw.body.Len() > 0 {
			var ce struct {
				ErrCode int `json:"errcode"`
			}
			_ = json.Unmarshal(rw.body.Bytes(), &ce)
			answer = strconv.Itoa(ce.ErrCode)
		}
		l.mu.Lock()
		if l.answers[r.URL.Path] == nil {
			l.answers[r.URL.Path] = map[string]int{}
		}
		l.answers[r.URL.Path][answer]++
		l.mu.Unlock()
	})
}

// newMatrixRig is newRig with the simulator on the test's clock (so its
// 10-minute client_msg_id window and token expiry move with the
// dispatcher's) and its answers logged.
func newMatrixRig(t *testing.T, db *storage.DB, cfg notify.Config) (*rig, *apiLog, *bot.Client) {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)} // 10:00 in Shanghai
	db.SetClock(clk.Now)
	sim := wechatsim.New(wechatsim.Config{AppID: "wxnotify", AppSecret: "sec", Token: "tok", Mode: wechatsim.ModePlain, Now: clk.Now})
	t.Cleanup(sim.Close)
	log := &apiLog{answers: map[string]map[string]int{}}
	api := httptest.NewServer(log.wrap(sim.Handler()))
	t.Cleanup(api.Close)
	client, err := bot.NewClient(bot.ClientConfig{AppID: "wxnotify", AppSecret: "sec", APIBase: api.URL, Timeout: 300 * time.Millisecond}, db)
	if err != nil {
		t.Fatal(err)
	}
	// The callback checks timestamps against the same clock.
	gw := &bot.Gateway{Wire: bot.Wire{Token: "tok", AppID: "wxnotify", Clock: clk}, Inbox: db, Sender: client, Log: quiet,
		Handler: bot.NewRouter(core.New(db, core.Options{Loc: shanghai}), db, templates.Default(), quiet, 0), Clock: clk}
	cb := httptest.NewServer(wechat.Handler(gw, quiet))
	t.Cleanup(cb.Close)
	sim.SetCallbackURL(cb.URL)
	cfg.Templates = map[string]notify.Template{}
	for kind := range model.KindLabels {
		cfg.Templates[kind] = notify.Template{ID: "TPL_" + kind, Fields: map[string]string{"thing1": "title", "time2": "time"}}
	}
	cfg.Loc, cfg.PublicURL = shanghai, "https://deputy.example"
	if cfg.Workers == 0 {
		cfg.Workers = 4
	}
	out := notify.New(db, cfg, quiet)
	out.SetClock(clk.Now)
	signer, err := notify.NewSigner(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	disp, err := notify.NewDispatcher(out, bot.NotifySender{Client: client}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{db: db, sim: sim, out: out, disp: disp, clock: clk}, log, client
}

// dispatchUntil dispatches until nothing is due, then moves the clock by
// step, until no delivery of the campaign is left to send (or a
// simulated day has passed). Small steps keep retries after a timeout
// inside WeChat's dedupe window, as a real dispatcher's would be.
func (r *rig) dispatchUntilDone(t *testing.T, id int64, step time.Duration) {
	t.Helper()
	ctx := context.Background()
	for start := r.clock.Now(); r.clock.Now().Sub(start) < 24*time.Hour; r.clock.Add(step) {
		if _, err := r.out.ExpandDue(ctx); err != nil {
			t.Fatal(err)
		}
		for {
			n, err := r.disp.DispatchOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		if c, err := r.db.GetCampaign(ctx, id); err != nil {
			t.Fatal(err)
		} else if c.Status == model.CampaignDone {
			if err := r.sim.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	counts, _ := r.db.CampaignCounts(ctx, id)
	t.Fatalf("campaign %d not done after a simulated day: %v", id, counts)
}

// messagesTo counts what a deputy received, by kind.
func messagesTo(sim *wechatsim.Sim, openid string) (template, custom int) {
	for _, m := range sim.Messages(openid) {
		switch m.Kind {
		case wechatsim.KindTemplate:
			template++
		case wechatsim.KindCustom:
			custom++
		}
	}
	return template, custom
}

func TestTheFaultMatrixEndsEveryDeliveryAndSendsNoSecondMessage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r, log, _ := newMatrixRig(t, db, notify.Config{BatchSize: 10})
		ctx := context.Background()
		openids := r.population(t, 80, 0, 0, 0)
		// One fault at a time where two would mask each other (the
		// simulator answers the first errcode; a timeout needs a request
		// that passes the token check): 45009 for the first 8 sends and
		// -1 for a tenth of the others, then every token expires, then 4
		// sends time out after WeChat took them, then -1 to the end.
		r.sim.AddFault(wechatsim.Fault{Path: tplSendPath, ErrCode: 45009, Count: 8})
		busy := wechatsim.Fault{Path: tplSendPath, ErrCode: -1, Rate: 0.1}
		r.sim.AddFault(busy)
		c, err := r.out.CreateCampaign(ctx, general("故障矩阵测试"), model.Audience{All: true}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.out.ExpandDue(ctx); err != nil {
			t.Fatal(err)
		}
		dispatch := func(batches int) {
			for range batches {
				if _, err := r.disp.DispatchOnce(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		dispatch(2)
		fetches := r.sim.TokenFetches()
		r.sim.ExpireTokens() // mid-campaign
		dispatch(1)
		r.sim.ClearFaults()
		r.sim.AddFault(wechatsim.Fault{Path: tplSendPath, TimeoutAfterRead: true, Count: 4})
		dispatch(1)
		r.sim.AddFault(busy)
		r.dispatchUntilDone(t, c.ID, 30*time.Second)

		t.Run("each fault happened", func(t *testing.T) {
			for _, f := range []struct {
				answer   string
				min, max int
				what     string
			}{
				{"42001", 1, 16, "the expired token"},
				{"45009", 8, 8, "the burst of 45009"},
				{"-1", 1, 100, "system busy (10%)"},
				{"timeout", 4, 4, "timeouts after the request was read"},
			} {
				if n := log.waitCount(tplSendPath, f.answer, f.min); n < f.min || n > f.max {
					t.Errorf("WeChat answered %s %d times, want %d to %d (%s)", f.answer, n, f.min, f.max, f.what)
				}
			}
			if got := r.sim.TokenFetches(); got <= fetches {
				t.Errorf("%d token fetches before the expiry and %d after: the client did not refresh", fetches, got)
			}
			if left := r.sim.Faults(); len(left) != 1 {
				t.Errorf("faults left: %+v; want only the 10%% one (the counted ones used up)", left)
			}
		})
		t.Run("every delivery ends sent or delivered", func(t *testing.T) {
			ds, err := db.ListDeliveries(ctx, model.DeliveryFilter{CampaignID: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != len(openids) {
				t.Fatalf("%d deliveries for %d deputies", len(ds), len(openids))
			}
			for _, d := range ds {
				// Every fault here is transient and retried within the
				// dedupe window: nothing needs to fail.
				if d.Status != model.DeliverySent && d.Status != model.DeliveryDelivered {
					t.Errorf("delivery %d ended %s (%q)", d.ID, d.Status, d.Reason)
				}
			}
		})
		t.Run("no deputy gets a second message", func(t *testing.T) {
			for _, o := range openids {
				if tpl, custom := messagesTo(r.sim, o); tpl != 1 || custom != 0 {
					t.Errorf("%s received %d template and %d customer messages, want 1 template", o, tpl, custom)
				}
			}
			if got := r.sim.TemplateSends(); got != len(openids) {
				t.Errorf("WeChat accepted %d template messages for %d deputies", got, len(openids))
			}
		})
		t.Logf("WeChat's answers to template sends: %v", log.String(tplSendPath))
	})
}

// TestATimeoutThenBusyWeChatPastTheDedupeWindowSendsNoSecondMessage: a
// send times out after WeChat accepted it; the retry (same client_msg_id)
// meets WeChat busy, again and again, until the backoff carries it past
// the 10-minute window in which WeChat would drop the repeat. Sending then
// could be a second message, so the delivery ends failed, result unknown.
func TestATimeoutThenBusyWeChatPastTheDedupeWindowSendsNoSecondMessage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r, log, _ := newMatrixRig(t, db, notify.Config{})
		ctx := context.Background()
		openids := r.population(t, 1, 0, 0, 0)
		r.sim.AddFault(wechatsim.Fault{Path: tplSendPath, TimeoutAfterRead: true, Count: 1})
		c, err := r.out.CreateCampaign(ctx, general("超时后繁忙"), model.Audience{All: true}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.out.ExpandDue(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := r.disp.DispatchOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if log.waitCount(tplSendPath, "timeout", 1) != 1 || r.sim.TemplateSends() != 1 {
			t.Fatalf("the first send: answers %v, %d accepted; want a timeout after WeChat accepted it",
				log.String(tplSendPath), r.sim.TemplateSends())
		}
		r.sim.AddFault(wechatsim.Fault{Path: tplSendPath, ErrCode: -1, Count: 6})
		r.dispatchUntilDone(t, c.ID, 15*time.Second)
		if tpl, _ := messagesTo(r.sim, openids[0]); tpl != 1 {
			t.Fatalf("the deputy received %d messages, want 1 (answers %v)", tpl, log.String(tplSendPath))
		}
		ds, err := db.ListDeliveries(ctx, model.DeliveryFilter{CampaignID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Status != model.DeliveryFailed || !strings.Contains(ds[0].Reason, "结果未知") {
			t.Fatalf("deliveries %+v; want one failed with an unknown result", ds)
		}
		t.Logf("answers %v; the delivery: %s, %q", log.String(tplSendPath), ds[0].Status, ds[0].Reason)
	})
}

// conversation makes the deputy write to the account, opening the
// 48-hour customer-message window.
func conversation(t *testing.T, r *rig, openid string) {
	t.Helper()
	if _, err := r.sim.User(openid).SendText(context.Background(), "你好"); err != nil {
		t.Fatal(err)
	}
}

func ratingRequest() *model.Notice {
	return &model.Notice{Kind: model.KindRatingRequest, Title: "请对建议办理情况进行测评"}
}

func TestATimedOutCustomerMessageIsNotSentAgain(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r, log, _ := newMatrixRig(t, db, notify.Config{})
		ctx := context.Background()
		openids := r.population(t, 2, 0, 0, 0)
		for _, o := range openids {
			conversation(t, r, o)
		}
		// WeChat takes the first customer message and never answers.
		r.sim.AddFault(wechatsim.Fault{Path: customSendPath, TimeoutAfterRead: true, Count: 1})
		c, err := r.out.CreateCampaign(ctx, ratingRequest(), model.Audience{All: true}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		r.dispatchUntilDone(t, c.ID, 15*time.Second)
		if log.waitCount(customSendPath, "timeout", 1) != 1 {
			t.Fatalf("answers to customer messages %v; want one timeout", log.String(customSendPath))
		}
		ds, err := db.ListDeliveries(ctx, model.DeliveryFilter{CampaignID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		var unknown int
		for _, d := range ds {
			tpl, custom := messagesTo(r.sim, d.OpenID)
			if tpl+custom != 1 || custom != 1 {
				t.Errorf("%s received %d template and %d customer messages, want 1 customer message", d.OpenID, tpl, custom)
			}
			switch {
			case d.Status == model.DeliveryFailed && strings.Contains(d.Reason, "结果未知"):
				unknown++
			case d.Status != model.DeliverySent:
				t.Errorf("delivery %d to %s ended %s (%q)", d.ID, d.OpenID, d.Status, d.Reason)
			}
		}
		if unknown != 1 {
			t.Errorf("%d deliveries failed with an unknown result, want the timed-out one: %+v", unknown, ds)
		}
	})
}

// TestACustomerMessageCutOffByACrashIsNotSentAgain: a dispatcher claims a
// conversational notice, its customer message reaches WeChat, and the
// process dies before recording it. When the lease runs out the row goes
// back to the queue; a customer message has no dedupe key, so sending it
// again would be a second message: it ends failed, result unknown.
func TestACustomerMessageCutOffByACrashIsNotSentAgain(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r, _, client := newMatrixRig(t, db, notify.Config{Lease: time.Minute})
		ctx := context.Background()
		openids := r.population(t, 1, 0, 0, 0)
		conversation(t, r, openids[0])
		c, err := r.out.CreateCampaign(ctx, ratingRequest(), model.Audience{All: true}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.out.ExpandDue(ctx); err != nil {
			t.Fatal(err)
		}
		// The dispatcher that dies: it claims, sends, and records nothing.
		claimed, err := db.ClaimDue(ctx, "dead", r.clock.Now(), 10, time.Minute, false)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claimed %d: %v", len(claimed), err)
		}
		if err := client.SendText(ctx, openids[0], "请对建议办理情况进行测评"); err != nil {
			t.Fatal(err)
		}
		r.clock.Add(2 * time.Minute)
		r.dispatchUntilDone(t, c.ID, 15*time.Second)
		if tpl, custom := messagesTo(r.sim, openids[0]); tpl+custom != 1 {
			t.Errorf("the deputy received %d template and %d customer messages, want only the first", tpl, custom)
		}
		ds, err := db.ListDeliveries(ctx, model.DeliveryFilter{CampaignID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Status != model.DeliveryFailed || !strings.Contains(ds[0].Reason, "结果未知") {
			t.Fatalf("deliveries %+v; want one failed with an unknown result", ds)
		}
	})
}

// TestATemplateCutOffByACrashGoesOnceWithinTheWindow is the template
// counterpart: the reclaimed row is sent again with the same
// client_msg_id inside WeChat's window, which WeChat drops, so the deputy
// has one message and the delivery ends sent.
func TestATemplateCutOffByACrashGoesOnceWithinTheWindow(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r, _, client := newMatrixRig(t, db, notify.Config{Lease: time.Minute})
		ctx := context.Background()
		openids := r.population(t, 1, 0, 0, 0)
		c, err := r.out.CreateCampaign(ctx, general("崩溃后重发"), model.Audience{All: true}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.out.ExpandDue(ctx); err != nil {
			t.Fatal(err)
		}
		claimed, err := db.ClaimDue(ctx, "dead", r.clock.Now(), 10, time.Minute, false)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claimed %d: %v", len(claimed), err)
		}
		if _, err := client.SendTemplate(ctx, bot.TemplateMessage{ToUser: openids[0], TemplateID: "TPL_" + model.KindGeneral,
			Data: []bot.TemplateField{{Key: "thing1", Value: "崩溃后重发"}}, ClientMsgID: "d" + strconv.FormatInt(claimed[0].ID, 10)}); err != nil {
			t.Fatal(err)
		}
		r.clock.Add(2 * time.Minute)
		r.dispatchUntilDone(t, c.ID, 15*time.Second)
		if tpl, custom := messagesTo(r.sim, openids[0]); tpl != 1 || custom != 0 {
			t.Errorf("the deputy received %d template and %d customer messages, want 1 template", tpl, custom)
		}
		ds, err := db.ListDeliveries(ctx, model.DeliveryFilter{CampaignID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || (ds[0].Status != model.DeliverySent && ds[0].Status != model.DeliveryDelivered) {
			t.Fatalf("deliveries %+v; want one sent", ds)
		}
	})
}
