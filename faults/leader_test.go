//go:build faults

package faults_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"deputybot/bench/benchkit"
	"deputybot/model"
	"deputybot/storage/storagetest"
)

// The scheduler's log lines that say an instance became or stopped being
// the cron leader (scheduler/leader.go).
const (
	gainedLeadLog = "this instance now runs the scheduled jobs"
	lostLeadLog   = "lost the leader lock"
)

// balancer is the load balancer in front of the serve instances: WeChat's
// callbacks (the sim's job reports and the chatting deputies) go to it,
// and it spreads them round-robin over the instances. A request an
// instance did not accept (connection refused: it is down) goes to the
// next one, as nginx's proxy_next_upstream does; one that failed after it
// was sent is answered 502 and left to WeChat's own re-delivery.
type balancer struct {
	backends []string // names, in the rig's servePort
	ports    map[string]int
	client   *http.Client
	next     atomic.Uint64
	srv      *http.Server

	mu       sync.Mutex
	answered map[string]int // per backend
}

func startBalancer(t *testing.T, port int, ports map[string]int, backends ...string) *balancer {
	t.Helper()
	b := &balancer{backends: backends, ports: ports, answered: map[string]int{},
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	b.srv = &http.Server{Handler: b, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	t.Cleanup(func() { b.srv.Close() })
	return b
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	start := b.next.Add(1)
	for i := range b.backends {
		name := b.backends[(int(start)+i)%len(b.backends)]
		url := fmt.Sprintf("http://127.0.0.1:%d%s", b.ports[name], r.URL.RequestURI())
		req, err := http.NewRequestWithContext(r.Context(), r.Method, url, bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := b.client.Do(req)
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				continue // down: nothing was sent, try the next one
			}
			http.Error(w, "upstream failed", http.StatusBadGateway)
			return
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			http.Error(w, "upstream failed", http.StatusBadGateway)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(out)
		b.mu.Lock()
		b.answered[name]++
		b.mu.Unlock()
		return
	}
	http.Error(w, "no instance is up", http.StatusBadGateway)
}

func (b *balancer) counts() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]int, len(b.answered))
	for k, v := range b.answered {
		out[k] = v
	}
	return out
}

// leadState reads an instance's log: whether its latest word on the
// leader lock is that it leads.
func leadState(p *proc) (leads bool, gained int) {
	out := p.Out.String()
	gained = strings.Count(out, gainedLeadLog)
	leads = strings.LastIndex(out, gainedLeadLog) > strings.LastIndex(out, lostLeadLog)
	return leads, gained
}

// leaders returns the names of the live instances that say they lead.
func leaders(procs map[string]*proc) []string {
	var out []string
	for _, name := range []string{"serve-a", "serve-b"} {
		if p := procs[name]; p != nil && !p.Exited() {
			if leads, _ := leadState(p); leads {
				out = append(out, name)
			}
		}
	}
	return out
}

// lockHeld reports whether some session holds the scheduler's leader lock
// (named as scheduler/leader.go names it).
func (r *rig) lockHeld(ctx context.Context) bool {
	r.t.Helper()
	var held *int64
	if err := r.db.SQL().QueryRowContext(ctx,
		`SELECT IS_USED_LOCK(CONCAT('deputybot_scheduler/', DATABASE()))`).Scan(&held); err != nil {
		r.t.Fatal(err)
	}
	return held != nil
}

// firstRunAfter waits for the first finished run of job that started
// after since, or fails after timeout. (A run the dead leader left
// running is marked failed by the new one: it started before since.)
func (r *rig) firstRunAfter(ctx context.Context, job string, since time.Time, timeout time.Duration) (model.JobRun, time.Time) {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		runs, err := r.db.ListJobRuns(ctx, job, 20)
		if err != nil {
			r.t.Fatal(err)
		}
		for i := len(runs) - 1; i >= 0; i-- {
			if run := runs[i]; run.StartedAt.After(since) && run.Status != model.JobRunning && run.Status != model.JobSkipped {
				return run, time.Now()
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("no run of %s recorded within %s", job, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestKillingTheCronLeaderUnderLoadHandsOverWithinAMinute runs two serve
// instances on one MariaDB behind a load balancer, with deputies chatting
// (80 messages/s through the balancer, to both) and a campaign going out,
// kills the cron leader with SIGKILL and checks: the other instance takes
// the leader lock and runs the next due cron job (due-campaigns, every
// minute) within a minute; callbacks keep being answered by the survivor;
// the campaign finishes with each deputy messaged exactly once; and once
// the killed instance is back there is still exactly one leader.
//
// A killed process's connections are closed by its kernel, so MariaDB
// releases the lock at once and the takeover waits only for the
// survivor's next leader check (every 15 s) or cron tick. A leader that
// hangs or loses the network instead holds the lock until MariaDB drops
// its idle connection (TestAFrozenCronLeaderLosesTheLead…).
func TestKillingTheCronLeaderUnderLoadHandsOverWithinAMinute(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	// 50 messages/s per instance: the campaign is still going while the
	// survivor takes over, and ends before the next cron tick is due.
	r := newRigDSN(t, storagetest.NewMySQLDatabase(t), min(benchkit.EnvInt("FAULTS_DEPUTIES", 2000), 2000), 50, "lb", "serve-a", "serve-b")
	lb := startBalancer(t, r.servePort["lb"], r.servePort, "serve-a", "serve-b")
	procs := map[string]*proc{"serve-a": r.serve("serve-a")}
	procs["serve-b"] = r.serve("serve-b")
	// The first instance up takes the lead at start.
	leader := r.waitLeader(ctx, procs, 20*time.Second)
	survivor := map[string]string{"serve-a": "serve-b", "serve-b": "serve-a"}[leader]
	t.Logf("%s leads the cron jobs; %s follows", leader, survivor)

	id := r.send()
	chat := startChatter(r, fmt.Sprintf("http://127.0.0.1:%d/wechat", r.servePort["lb"]), r.openids[:8])
	r.waitAccepted(r.bound/4, time.Minute)
	before := lb.counts()
	if before[leader] == 0 || before[survivor] == 0 {
		t.Fatalf("before the kill the balancer spread callbacks as %v; want some on both", before)
	}
	killAt := time.Now()
	procs[leader].kill(t)
	p := r.progress(id)
	t.Logf("killed the leader %s at %s: WeChat has %d/%d; the database %d sent, %d claimed", leader,
		killAt.UTC().Format("15:04:05.000"), r.accepted(), r.bound, p.sent(), p.counts[model.DeliverySending])

	// The survivor takes the lock…
	for {
		if leads, _ := leadState(procs[survivor]); leads {
			break
		}
		if time.Since(killAt) > time.Minute {
			t.Fatalf("%s did not take the leader lock within a minute of the kill", survivor)
		}
		time.Sleep(20 * time.Millisecond)
	}
	lockTakeover := time.Since(killAt)
	// …and runs the next due tick of due-campaigns (every minute): the
	// first tick after the kill, whether at its time or caught up.
	run, seen := r.firstRunAfter(ctx, "due-campaigns", killAt, 75*time.Second)
	nextTick := killAt.UTC().Truncate(time.Minute).Add(time.Minute)
	if !run.ScheduledAt.Equal(nextTick) {
		t.Errorf("the survivor's first due-campaigns run was for %s (%s), want the first tick after the kill, %s",
			run.ScheduledAt.Format("15:04:05"), run.Kind, nextTick.Format("15:04:05"))
	}
	if d := run.StartedAt.Sub(killAt); d > time.Minute {
		t.Errorf("the survivor ran the next cron job %s after the kill, want within a minute", d.Round(time.Millisecond))
	}
	t.Logf("takeover: %s held the leader lock %s after the kill; ran due-campaigns (%s, tick %s) %s after the kill, %s after its tick (seen %s after)",
		survivor, lockTakeover.Round(time.Millisecond), run.Kind, run.ScheduledAt.Format("15:04:05"),
		run.StartedAt.Sub(killAt).Round(time.Millisecond), run.StartedAt.Sub(run.ScheduledAt).Round(time.Millisecond),
		seen.Sub(killAt).Round(time.Millisecond))

	p = r.waitDone(id)
	t.Logf("campaign done %s after the kill: %s", time.Since(killAt).Round(time.Millisecond), p)
	afterKill := lb.counts()
	results := chat.halt()
	t.Run("callbacks keep being answered by the survivor", func(t *testing.T) {
		checkChatAcrossKill(t, results, killAt)
		if afterKill[survivor] <= before[survivor] {
			t.Errorf("the balancer's answers by %s: %d before the kill, %d after; want more", survivor, before[survivor], afterKill[survivor])
		}
		t.Logf("balancer answers: before the kill %v, at the end %v", before, afterKill)
	})
	r.checkExactlyOnce(id)

	// The killed instance comes back as a follower; one leader still.
	procs[leader] = r.serve(leader)
	backAt := time.Now()
	for time.Since(backAt) < 17*time.Second { // a leader check (15 s) on each side
		if ls := leaders(procs); len(ls) != 1 || ls[0] != survivor {
			t.Fatalf("after %s came back, the instances that lead are %v; want only %s", leader, ls, survivor)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !r.lockHeld(ctx) {
		t.Error("nobody holds the leader lock")
	}
	if _, gained := leadState(procs[leader]); gained != 0 {
		t.Errorf("the restarted %s took the lead %d times", leader, gained)
	}
	t.Logf("%s back as a follower; %s still the only leader; test took %s", leader, survivor, time.Since(start).Round(time.Millisecond))
}

// checkChatAcrossKill: every message sent up to a second before the kill
// and from two seconds after it was answered with a reply; those in
// flight at the kill may have been lost with the instance (the balancer
// answers 502 and WeChat would deliver them again).
func checkChatAcrossKill(t *testing.T, results []chatResult, killAt time.Time) {
	t.Helper()
	var before, around, after, lostAround int
	for _, res := range results {
		ok := res.status == http.StatusOK && res.reply
		switch {
		case res.at.Before(killAt.Add(-time.Second)):
			before++
		case res.at.Before(killAt.Add(2 * time.Second)):
			around++
			if !ok {
				lostAround++
			}
			continue
		default:
			after++
		}
		if !ok {
			t.Errorf("message %d sent %s from the kill: HTTP %d, reply %v, %v", res.msgID,
				res.at.Sub(killAt).Round(time.Millisecond), res.status, res.reply, res.err)
		}
	}
	if before == 0 || after == 0 {
		t.Errorf("%d messages before the kill and %d after; want some of each", before, after)
	}
	t.Logf("callbacks: %d before the kill, %d around it (%d not answered: in flight on the killed instance), %d after",
		before, around, lostAround, after)
}

// waitLeader waits until exactly one live instance says it leads and the
// lock is held, and returns its name.
func (r *rig) waitLeader(ctx context.Context, procs map[string]*proc, timeout time.Duration) string {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ls := leaders(procs)
		if len(ls) == 1 && r.lockHeld(ctx) {
			return ls[0]
		}
		if len(ls) > 1 {
			r.t.Fatalf("two instances say they lead: %v", ls)
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("no instance took the leader lock within %s (leaders %v)", timeout, ls)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAFrozenCronLeaderLosesTheLeadWithinAMinuteAndAQuarter freezes the
// cron leader (SIGSTOP: a hung process, or a host cut off from the
// network, whose connections stay open) instead of killing it. MariaDB
// frees the lock only when it closes the leader's idle lock connection:
// after the server's wait_timeout (28,800 s by default) unless the
// scheduler sets a short one on that connection (60 s). The follower must
// take over within that plus one leader check (15 s); the frozen leader,
// resumed, must find it lost the lead, leaving one leader.
func TestAFrozenCronLeaderLosesTheLeadWithinAMinuteAndAQuarter(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	r := newRigDSN(t, storagetest.NewMySQLDatabase(t), 50, 25, "serve-a", "serve-b")
	procs := map[string]*proc{"serve-a": r.serve("serve-a")}
	procs["serve-b"] = r.serve("serve-b")
	leader := r.waitLeader(ctx, procs, 20*time.Second)
	survivor := map[string]string{"serve-a": "serve-b", "serve-b": "serve-a"}[leader]
	frozen := procs[leader]
	if err := frozen.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = frozen.Cmd.Process.Signal(syscall.SIGCONT) })
	stopAt := time.Now()
	for {
		if leads, _ := leadState(procs[survivor]); leads {
			break
		}
		if time.Since(stopAt) > 75*time.Second+5*time.Second {
			t.Fatalf("%s did not take the leader lock within 80 s of %s freezing", survivor, leader)
		}
		time.Sleep(50 * time.Millisecond)
	}
	takeover := time.Since(stopAt)
	t.Logf("froze the leader %s; %s took the leader lock %s later", leader, survivor, takeover.Round(time.Millisecond))

	if err := frozen.Cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	resumed := time.Now()
	for {
		if leads, _ := leadState(frozen); !leads {
			break
		}
		if time.Since(resumed) > 20*time.Second {
			t.Fatalf("%s, resumed, still says it leads after 20 s; %s leads too", leader, survivor)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%s, resumed, found it lost the lead %s later", leader, time.Since(resumed).Round(time.Millisecond))
	for checked := time.Now(); time.Since(checked) < 17*time.Second; time.Sleep(100 * time.Millisecond) {
		if ls := leaders(procs); len(ls) != 1 || ls[0] != survivor {
			t.Fatalf("after %s resumed, the instances that lead are %v; want only %s", leader, ls, survivor)
		}
	}
	if !r.lockHeld(ctx) {
		t.Error("nobody holds the leader lock")
	}
	t.Logf("one leader, %s; test took %s", survivor, time.Since(start).Round(time.Millisecond))
}
