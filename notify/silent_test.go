package notify_test

import (
	"context"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// TestASilentDispatchersClaimsGoBackBeforeTheLeaseEnds: a dispatcher that
// stops beating (killed) is found out by another one that has beaten
// without a gap for five seconds, and its claims go back to the queue at
// once instead of when their two-minute lease runs out (dispatchers beat
// every second; one silent for five is dead). A live
// dispatcher's claims, and those of a claimer that never beat, stay
// theirs; and after a gap in its own beats (a database outage, when every
// last beat is old) a dispatcher judges nobody until it has beaten eight
// five seconds again.
func TestASilentDispatchersClaimsGoBackBeforeTheLeaseEnds(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r, _, _ := newMatrixRig(t, db, notify.Config{Lease: 2 * time.Minute})
		ctx := context.Background()
		r.population(t, 3, 0, 0, 0)
		if _, err := r.out.CreateCampaign(ctx, general("静默的发送进程"), model.Audience{All: true}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.out.ExpandDue(ctx); err != nil {
			t.Fatal(err)
		}
		claim := func(owner string) model.Delivery {
			t.Helper()
			if owner != "anon" {
				if err := db.BeatDispatcher(ctx, owner, r.clock.Now()); err != nil {
					t.Fatal(err)
				}
			}
			ds, err := db.ClaimDue(ctx, owner, r.clock.Now(), 1, 2*time.Minute, false)
			if err != nil || len(ds) != 1 {
				t.Fatalf("%s claimed %d: %v", owner, len(ds), err)
			}
			return ds[0]
		}
		dead, live, anon := claim("dead"), claim("live"), claim("anon")
		var b notify.Beats
		step := func(liveBeats bool) int64 {
			t.Helper()
			r.clock.Add(time.Second)
			if liveBeats {
				if err := db.BeatDispatcher(ctx, "live", r.clock.Now()); err != nil {
					t.Fatal(err)
				}
			}
			return r.disp.Beat(ctx, &b)
		}
		r.clock.Add(5 * time.Second) // "dead" is silent from here on
		var got []int64
		for range 6 {
			got = append(got, step(true))
		}
		// Beats at +6 s … +11 s: the sixth is five seconds into its run.
		if want := []int64{0, 0, 0, 0, 0, 1}; !equal(got, want) {
			t.Fatalf("deliveries handed back at each beat: %v, want %v", got, want)
		}
		status := func(d model.Delivery) model.Delivery {
			t.Helper()
			got, err := db.GetDelivery(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if d := status(dead); d.Status != model.DeliverySending || d.NextAt.After(r.clock.Now()) {
			t.Fatalf("the silent dispatcher's delivery: %s due in %s, want sending and due now", d.Status, d.NextAt.Sub(r.clock.Now()))
		}
		for _, d := range []model.Delivery{status(live), status(anon)} {
			if !d.NextAt.After(r.clock.Now().Add(time.Minute)) {
				t.Fatalf("delivery %d (claimed by %s) is due in %s; want its lease kept", d.ID, d.ClaimedBy, d.NextAt.Sub(r.clock.Now()))
			}
		}
		if n, err := r.disp.DispatchOnce(ctx); err != nil || n != 1 {
			t.Fatalf("the dispatcher claimed %d deliveries (%v), want the silent one's", n, err)
		}
		if d := status(dead); !sent(d) || d.Reclaims != 1 || d.Attempts != 1 {
			t.Fatalf("the silent dispatcher's delivery: %s, reclaims %d, attempts %d; want sent, 1, 1", d.Status, d.Reclaims, d.Attempts)
		}

		// An outage: nobody beats for 20 s. Afterwards "live" is the last
		// to beat again, but it does within the five seconds.
		r.clock.Add(20 * time.Second)
		got = got[:0]
		got = append(got, r.disp.Beat(ctx, &b))
		for range 6 {
			got = append(got, step(true))
		}
		if want := []int64{0, 0, 0, 0, 0, 0, 0}; !equal(got, want) {
			t.Fatalf("after an outage, deliveries handed back at each beat: %v, want none", got)
		}
		if d := status(live); d.Status != model.DeliverySending || !d.NextAt.After(r.clock.Now()) {
			t.Fatalf("the live dispatcher's delivery: %s due in %s; want its lease kept", d.Status, d.NextAt.Sub(r.clock.Now()))
		}
	})
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAnUnansweredSendHoldsItsSlotNotTheDispatch: WeChat takes one send
// of a batch and never answers; the dispatcher records the others and
// goes on while that one waits for the client to give up. Stopping the
// dispatcher hands the unanswered one back (its outcome unknown, resent
// with the same client_msg_id) and Run returns once it is recorded.
func TestAnUnansweredSendHoldsItsSlotNotTheDispatch(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, notify.Config{}, 5*time.Second)
		ctx := context.Background()
		r.population(t, 20, 0, 0, 0)
		r.sim.AddFault(wechatsim.Fault{Path: tplSendPath, TimeoutAfterRead: true, Count: 1})
		c, err := r.out.CreateCampaign(ctx, general("不等无应答的发送"), model.Audience{All: true}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		ran := make(chan struct{})
		go func() { defer close(ran); r.disp.Run(runCtx, 10*time.Millisecond) }()
		defer func() { stop(); <-ran }()
		counts := func() map[string]int {
			n, err := db.CampaignCounts(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		start := time.Now()
		for n := counts(); n[model.DeliverySent]+n[model.DeliveryDelivered] < 19; n = counts() {
			if time.Since(start) > 4*time.Second {
				t.Fatalf("after %s (the client gives up at 5 s): %v; want 19 recorded while the unanswered send waits",
					time.Since(start).Round(time.Millisecond), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
		if n := counts(); n[model.DeliverySending] != 1 {
			t.Fatalf("%v; want the unanswered one still sending", n)
		}
		stop()
		<-ran
		n := counts()
		if n[model.DeliverySent]+n[model.DeliveryDelivered] != 19 || n[model.DeliveryRetry] != 1 {
			t.Fatalf("after stopping: %v; want 19 sent and the unanswered one handed back", n)
		}
		ds, err := db.ListDeliveries(ctx, model.DeliveryFilter{CampaignID: c.ID, Status: model.DeliveryRetry})
		if err != nil || len(ds) != 1 || ds[0].Attempts != 0 || !ds[0].NextAt.Equal(r.clock.Now()) {
			t.Fatalf("the handed back delivery: %+v (%v); want no attempt, due now", ds, err)
		}
	})
}
