//go:build faults

package faults_test

import (
	"context"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage/storagetest"
)

// A crash does not cost a retry (issue 18): against a WeChat that
// refuses 5 % of template sends with -1 (system busy) and carries out 2 %
// without answering (the client times out, the outcome is unknown), a
// 500-deputy campaign survives three SIGKILLs of serve, with a second
// instance for part of the run, and ends within a minute of the last
// restart: no row is left waiting in retry, no deputy gets the notice
// twice, none goes without it.
//
// The bound is the figure, not a benchmark: a row whose backoff
// grew with every crash (each claim counted as an attempt) waited 120-240 s
// for its next try after three reclaims and one -1.
func TestAFaultyWeChatAndThreeKillsCostNoRetry(t *testing.T) {
	const bound = 500
	r := newRigSpec(t, rigSpec{
		dsn: storagetest.NewMySQLDatabase(t), bound: bound, rate: 100,
		simArgs: []string{"--fault-path", "/cgi-bin/message/template/send",
			"--fault-rate", "0.05", "--fault-code", "-1", "--timeout-rate", "0.02"},
		// The default lease: the killed instances' claims must come back
		// because they stopped beating, not because two minutes passed.
		env:    []string{"DEPUTYBOT_DELIVERY_LEASE=2m"},
		serves: []string{"serve-a", "serve-b"},
	})
	rng := seed(t)
	start := time.Now()
	a := r.serve("serve-a")
	id := r.send()
	// Three kill points, spread over the campaign by WeChat's count.
	at := func(lo, hi float64) int { return int((lo + (hi-lo)*rng.Float64()) * bound) }
	kill := func(n int, p *proc) {
		p.kill(t)
		pr := r.progress(id)
		t.Logf("kill %d (%s) at %s: WeChat has %d/%d; the database %d sent, %d claimed, %d in retry", n, p.name,
			time.Since(start).Round(time.Millisecond), r.accepted(), bound, pr.sent(), pr.counts[model.DeliverySending],
			pr.counts[model.DeliveryRetry])
	}
	r.waitAccepted(at(0.05, 0.2), 2*time.Minute)
	kill(1, a)
	a = r.serve("serve-a")
	b := r.serve("serve-b") // the second instance, for part of the run
	r.waitAccepted(at(0.3, 0.45), 2*time.Minute)
	kill(2, b)
	r.waitAccepted(at(0.55, 0.75), 2*time.Minute)
	kill(3, a)
	r.serve("serve-a")
	restarted := time.Now()

	const within = time.Minute
	p := r.progress(id)
	for p.status != model.CampaignDone && time.Since(restarted) < within {
		time.Sleep(15 * time.Millisecond)
		p = r.progress(id)
	}
	r.tail(id, restarted)
	if p.status != model.CampaignDone {
		t.Fatalf("campaign %d not done a minute after the last restart: %s", id, p)
	}
	t.Logf("campaign done %s after the last restart (%s in all): %s", time.Since(restarted).Round(time.Millisecond),
		time.Since(start).Round(time.Millisecond), p)
	c := r.simCounts()
	t.Logf("WeChat: %d template requests, %d refused (-1), %d left unanswered", c.TemplateRequests, c.TemplateRefused,
		c.TemplateUnanswered)
	if c.TemplateRefused == 0 || c.TemplateUnanswered == 0 {
		t.Errorf("WeChat refused %d sends and left %d unanswered; the faults did not happen", c.TemplateRefused, c.TemplateUnanswered)
	}
	r.checkExactlyOnce(id)
	r.checkLedger(id)
}

// checkLedger reads the campaign's deliveries: the kills must show as
// reclaims (else the kills cut nothing off and the test showed nothing).
func (r *rig) checkLedger(id int64) {
	t := r.t
	t.Helper()
	ds, err := r.db.ListDeliveries(context.Background(), model.DeliveryFilter{CampaignID: id})
	if err != nil {
		t.Fatal(err)
	}
	reclaims, retried, most := 0, 0, 0
	for _, d := range ds {
		reclaims += d.Reclaims
		if d.Attempts > 1 {
			retried++
		}
		most = max(most, d.Attempts)
	}
	t.Logf("ledger: %d reclaims, %d deliveries tried more than once, at most %d attempts", reclaims, retried, most)
	if reclaims == 0 {
		t.Errorf("no delivery was reclaimed: the kills cut no send off, so the test showed nothing")
	}
}

// tail logs when the deliveries were recorded sent, in 5-second buckets
// from since, and every delivery still open.
func (r *rig) tail(id int64, since time.Time) {
	ds, err := r.db.ListDeliveries(context.Background(), model.DeliveryFilter{CampaignID: id})
	if err != nil {
		r.t.Fatal(err)
	}
	buckets := map[int]int{}
	for _, d := range ds {
		switch {
		case d.Status == model.DeliveryRetry || d.Status == model.DeliverySending:
			r.t.Logf("still open: delivery %d %s, due %s after the restart, %d attempts, %d reclaims, %q", d.ID, d.Status,
				d.NextAt.Sub(since).Round(time.Millisecond), d.Attempts, d.Reclaims, d.Reason)
		case d.SentAt.Valid:
			buckets[int(d.SentAt.Time.Sub(since).Seconds())/5*5]++
		}
	}
	r.t.Logf("recorded sent, by 5 s after the last restart: %v", buckets)
}
