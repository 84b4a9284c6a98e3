package notify_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// A crash does not cost a retry: a dispatcher that dies mid-send leaves
// its claimed rows to be taken back when the lease runs out. That reclaim
// is no attempt: only WeChat's answers move the backoff and the attempt
// limit, and the row keeps its client_msg_id, so a resend inside WeChat's
// 10-minute window is dropped by WeChat if the first one went.

// crashRig is a one-deputy general notice, expanded and ready to claim,
// on the matrix rig (the simulator on the test's clock).
type crashRig struct {
	*rig
	client   *bot.Client
	campaign int64
	openid   string
	lease    time.Duration
}

func newCrashRig(t *testing.T, db *storage.DB, cfg notify.Config) *crashRig {
	t.Helper()
	cfg.Lease = time.Minute
	r, _, client := newMatrixRig(t, db, cfg)
	ctx := context.Background()
	openids := r.population(t, 1, 0, 0, 0)
	c, err := r.out.CreateCampaign(ctx, general("崩溃不计尝试"), model.Audience{All: true}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.out.ExpandDue(ctx); err != nil {
		t.Fatal(err)
	}
	return &crashRig{rig: r, client: client, campaign: c.ID, openid: openids[0], lease: cfg.Lease}
}

// dieMidSend is a dispatcher that claims the row, maybe gets its message
// to WeChat, and dies before recording anything; the test's clock then
// moves past its lease.
func (r *crashRig) dieMidSend(t *testing.T, reachWeChat bool) model.Delivery {
	t.Helper()
	ctx := context.Background()
	claimed, err := r.db.ClaimDue(ctx, "dead", r.clock.Now(), 10, r.lease, false)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claimed %d: %v", len(claimed), err)
	}
	if reachWeChat {
		if _, err := r.client.SendTemplate(ctx, bot.TemplateMessage{ToUser: r.openid, TemplateID: "TPL_" + model.KindGeneral,
			Data: []bot.TemplateField{{Key: "thing1", Value: "崩溃不计尝试"}}, ClientMsgID: "d" + strconv.FormatInt(claimed[0].ID, 10)}); err != nil {
			t.Fatal(err)
		}
	}
	r.clock.Add(r.lease + time.Second)
	return claimed[0]
}

func (r *crashRig) delivery(t *testing.T) model.Delivery {
	t.Helper()
	ds, err := r.db.ListDeliveries(context.Background(), model.DeliveryFilter{CampaignID: r.campaign})
	if err != nil || len(ds) != 1 {
		t.Fatalf("%d deliveries: %v", len(ds), err)
	}
	return ds[0]
}

// sent reports whether d went (WeChat's report may have come already).
func sent(d model.Delivery) bool {
	return d.Status == model.DeliverySent || d.Status == model.DeliveryDelivered
}

func (r *crashRig) dispatch(t *testing.T) int {
	t.Helper()
	n, err := r.disp.DispatchOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestARowReclaimedThreeTimesThenRefusedWaitsTheFirstBackoffStep(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newCrashRig(t, db, notify.Config{})
		// The first dispatcher's message reached WeChat; the next two died
		// before theirs did.
		r.dieMidSend(t, true)
		r.dieMidSend(t, false)
		r.dieMidSend(t, false)
		r.sim.AddFault(wechatsim.Fault{Path: tplSendPath, ErrCode: -1, Count: 1})
		if n := r.dispatch(t); n != 1 {
			t.Fatalf("the fourth dispatcher claimed %d rows, want the one left by the dead ones", n)
		}
		d := r.delivery(t)
		if d.Status != model.DeliveryRetry || d.Reclaims != 3 || d.Attempts != 1 || d.ClientMsgID != "d"+strconv.FormatInt(d.ID, 10) {
			t.Fatalf("after three reclaims and a -1: %s, reclaims %d, attempts %d, client_msg_id %q; want retry, 3, 1, d%d",
				d.Status, d.Reclaims, d.Attempts, d.ClientMsgID, d.ID)
		}
		// The first step is 2 s plus up to a fifth of jitter; the fourth
		// (what counting each claim as an attempt gave) 54 s.
		if wait := d.NextAt.Sub(r.clock.Now()); wait < 2*time.Second || wait > 2400*time.Millisecond {
			t.Fatalf("the retry is due in %s, want the first backoff step (2 s to 2.4 s)", wait)
		}
		r.clock.Add(3 * time.Second)
		if n := r.dispatch(t); n != 1 {
			t.Fatalf("3 s later the dispatcher claimed %d rows, want the retry", n)
		}
		d = r.delivery(t)
		if !sent(d) || d.Attempts != 2 || d.Reclaims != 3 {
			t.Errorf("after the retry: %s (%q), attempts %d, reclaims %d; want sent, 2, 3", d.Status, d.Reason, d.Attempts, d.Reclaims)
		}
		if tpl, custom := messagesTo(r.sim, r.openid); tpl != 1 || custom != 0 {
			t.Errorf("the deputy received %d template and %d customer messages, want 1 template (the resends share its client_msg_id)", tpl, custom)
		}
		storagetest.CampaignCountsRight(t, db)
	})
}

func TestReclaimsNeverUseUpTheAttempts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		// Two attempts allowed; five dead dispatchers, all inside WeChat's
		// 10-minute window (a 1-minute lease).
		r := newCrashRig(t, db, notify.Config{MaxAttempts: 2})
		for range 5 {
			r.dieMidSend(t, false)
		}
		r.sim.AddFault(wechatsim.Fault{Path: tplSendPath, ErrCode: -1, Count: 1})
		r.dispatch(t)
		if d := r.delivery(t); d.Status != model.DeliveryRetry || d.Attempts != 1 || d.Reclaims != 5 {
			t.Fatalf("after five reclaims and one -1: %s (%q), attempts %d, reclaims %d; want retry, 1, 5",
				d.Status, d.Reason, d.Attempts, d.Reclaims)
		}
		r.clock.Add(6 * time.Second)
		r.dispatch(t)
		if d := r.delivery(t); !sent(d) {
			t.Fatalf("the retry ended %s (%q), want sent", d.Status, d.Reason)
		}
		if tpl, _ := messagesTo(r.sim, r.openid); tpl != 1 {
			t.Errorf("the deputy received %d messages, want 1", tpl)
		}
	})
}

func TestTheAttemptLimitStillCountsWeChatsAnswers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newCrashRig(t, db, notify.Config{MaxAttempts: 2})
		r.sim.AddFault(wechatsim.Fault{Path: tplSendPath, ErrCode: -1, Count: 2})
		r.dispatch(t)
		r.clock.Add(6 * time.Second)
		r.dispatch(t)
		d := r.delivery(t)
		if d.Status != model.DeliveryFailed || !strings.Contains(d.Reason, "重试次数已用尽") || d.Attempts != 2 {
			t.Fatalf("after two -1 answers with two attempts allowed: %s (%q), attempts %d; want failed, attempts used up, 2",
				d.Status, d.Reason, d.Attempts)
		}
		storagetest.CampaignCountsRight(t, db)
	})
}

// TestACrashPastTheDedupeWindowIsNotSentAgain: the 10-minute rule holds
// for reclaims. A row whose first claim was more than nine minutes ago
// (a minute's margin inside WeChat's window) and whose dispatcher died
// may have reached WeChat then; a resend now could be a second message,
// so it ends failed with an unknown result, its loss on record.
func TestACrashPastTheDedupeWindowIsNotSentAgain(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newCrashRig(t, db, notify.Config{})
		r.dieMidSend(t, true)
		r.clock.Add(10 * time.Minute)
		r.dispatch(t)
		d := r.delivery(t)
		if d.Status != model.DeliveryFailed || !strings.Contains(d.Reason, "发送中断，结果未知") || d.Attempts != 0 || d.Reclaims != 1 {
			t.Fatalf("reclaimed 11 minutes after its first claim: %s (%q), attempts %d, reclaims %d; want failed, unknown result, 0, 1",
				d.Status, d.Reason, d.Attempts, d.Reclaims)
		}
		if tpl, _ := messagesTo(r.sim, r.openid); tpl != 1 {
			t.Errorf("the deputy received %d messages, want only the first", tpl)
		}
	})
}

// TestACrashThenBusyWeChatPastTheDedupeWindowSendsNoSecondMessage: the
// dead dispatcher's message reached WeChat; the reclaim's resend (same
// client_msg_id) meets WeChat busy, again and again, until the backoff
// carries it past the 10-minute window. The crash left the outcome
// unknown, and a refusal since does not make it known: no resend then.
func TestACrashThenBusyWeChatPastTheDedupeWindowSendsNoSecondMessage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newCrashRig(t, db, notify.Config{})
		r.dieMidSend(t, true)
		r.sim.AddFault(wechatsim.Fault{Path: tplSendPath, ErrCode: -1, Count: 6})
		r.dispatchUntilDone(t, r.campaign, 15*time.Second)
		if tpl, _ := messagesTo(r.sim, r.openid); tpl != 1 {
			t.Fatalf("the deputy received %d messages, want 1", tpl)
		}
		d := r.delivery(t)
		// Refused six times (2+6+18+54+162 s of backoff, in the test's
		// 15-second steps, after a 1-minute lease), the seventh try,
		// 486 s later, comes past the window.
		if d.Status != model.DeliveryFailed || !strings.Contains(d.Reason, "结果未知") || d.Attempts != 6 || d.Reclaims != 1 {
			t.Fatalf("%s (%q), attempts %d, reclaims %d; want failed with an unknown result after 6 refusals and 1 reclaim",
				d.Status, d.Reason, d.Attempts, d.Reclaims)
		}
	})
}

// TestAShutdownMidBatchCostsNoAttempt: serve stopping (its context ends)
// while a batch waits for the rate limiter hands the unsent rows back,
// due at once and with no attempt counted; the sent one is recorded.
func TestAShutdownMidBatchCostsNoAttempt(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r, log, client := newMatrixRig(t, db, notify.Config{RatePerSecond: 0.2})
		openids := r.population(t, 4, 0, 0, 0)
		c, err := r.out.CreateCampaign(context.Background(), general("停机不计尝试"), model.Audience{All: true}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.out.ExpandDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, err := r.disp.DispatchOnce(ctx); done <- err }()
		// One token in the bucket: the first send goes, the rest wait 5 s each.
		if n := log.waitCount(tplSendPath, "0", 1); n != 1 {
			t.Fatalf("WeChat answered %d sends, want the first", n)
		}
		stop()
		// The batch is recorded; what follows it (campaign counts) may
		// stop on the ended context, as in serve's shutdown.
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		ds, err := db.ListDeliveries(context.Background(), model.DeliveryFilter{CampaignID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		var went, back int
		for _, d := range ds {
			switch {
			case sent(d) && d.Attempts == 1:
				went++
			case d.Status == model.DeliveryRetry && d.Attempts == 0 && !d.NextAt.After(r.clock.Now()):
				back++
			default:
				t.Errorf("delivery %d: %s (%q), attempts %d, due %s; want sent once or handed back unattempted and due now",
					d.ID, d.Status, d.Reason, d.Attempts, d.NextAt.Sub(r.clock.Now()))
			}
		}
		// The first send may be recorded, or cut off on its way back
		// (then handed back too: resent with its client_msg_id, WeChat
		// drops it). The three waiting for the limiter never went.
		if went+back != 4 || back < 3 {
			t.Errorf("%d sent and %d handed back, want 1 and 3 (or 0 and 4)", went, back)
		}
		// The instance that takes over (no rate limit, to keep the test short).
		cfg := notify.Config{Templates: map[string]notify.Template{model.KindGeneral: {ID: "TPL_" + model.KindGeneral,
			Fields: map[string]string{"thing1": "title"}}}, Loc: shanghai, PublicURL: "https://deputy.example"}
		out := notify.New(db, cfg, quiet)
		out.SetClock(r.clock.Now)
		signer, err := notify.NewSigner(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		if r.disp, err = notify.NewDispatcher(out, bot.NotifySender{Client: client}, signer); err != nil {
			t.Fatal(err)
		}
		r.out = out
		r.dispatchUntilDone(t, c.ID, time.Second)
		for _, o := range openids {
			if tpl, _ := messagesTo(r.sim, o); tpl != 1 {
				t.Errorf("%s received %d messages, want 1", o, tpl)
			}
		}
	})
}
