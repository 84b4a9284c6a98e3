package scheduler

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// twoInstances returns two schedulers of the same job on one MySQL
// database, as two servers of a cluster, each counting its own runs.
func twoInstances(t *testing.T) (db *storage.DB, clk *clock, a, b *Scheduler, ran [2]*atomic.Int32) {
	t.Helper()
	db = storagetest.Open(t, storage.MySQL)
	clk = newClock(at("2026-11-26 10:00"))
	for i := range 2 {
		n := new(atomic.Int32)
		ran[i] = n
		s := newScheduler(t, db, clk, Job{Name: "digest", Schedule: "*/5 * * * *", Run: func(context.Context, time.Time) (Result, error) {
			n.Add(1)
			return Result{}, nil
		}})
		if i == 0 {
			a = s
		} else {
			b = s
		}
	}
	return db, clk, a, b, ran
}

func TestOnMySQLExactlyOneInstanceRunsEachTick(t *testing.T) {
	db, clk, a, b, ran := twoInstances(t)
	ctx := context.Background()
	ticks := []string{"2026-11-26 10:05", "2026-11-26 10:10", "2026-11-26 10:15"}
	for i, tickAt := range ticks {
		clk.Set(at(tickAt))
		_, errA := a.tick(ctx, a.byName["digest"], at(tickAt), model.JobScheduled)
		_, errB := b.tick(ctx, b.byName["digest"], at(tickAt), model.JobScheduled)
		if total := ran[0].Load() + ran[1].Load(); total != int32(i+1) {
			t.Fatalf("after the tick at %s the job ran %d times in all, want %d", tickAt, total, i+1)
		}
		if a.IsLeader() == b.IsLeader() {
			t.Fatalf("leaders: a %v, b %v", a.IsLeader(), b.IsLeader())
		}
		if !errors.Is(errB, errNotLeader) || errA != nil {
			t.Fatalf("a (first to tick) gave %v, b gave %v", errA, errB)
		}
	}
	if rs := runs(t, db, "digest"); len(rs) != len(ticks) {
		t.Fatalf("%d runs recorded, want one a tick: %+v", len(rs), rs)
	}
	if ran[1].Load() != 0 {
		t.Fatal("the follower ran the job")
	}

	// The leader stops: it releases the lock, and the follower takes over
	// at its next tick.
	if err := a.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if a.IsLeader() {
		t.Fatal("a stopped scheduler still says it leads")
	}
	clk.Set(at("2026-11-26 10:20"))
	if _, err := b.tick(ctx, b.byName["digest"], at("2026-11-26 10:20"), model.JobScheduled); err != nil || !b.IsLeader() || ran[1].Load() != 1 {
		t.Fatalf("the follower did not take over: %v, leader %v, ran %d", err, b.IsLeader(), ran[1].Load())
	}
}

func TestOnMySQLAFollowerTakesOverWhenTheLeadersConnectionDies(t *testing.T) {
	db, clk, a, b, ran := twoInstances(t)
	ctx := context.Background()
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	<-a.caughtUp
	<-b.caughtUp
	if !a.IsLeader() || b.IsLeader() {
		t.Fatalf("leaders after start: a %v, b %v", a.IsLeader(), b.IsLeader())
	}
	if ran[0].Load() != 1 || ran[1].Load() != 0 {
		t.Fatalf("the 10:00 tick, never run, was caught up %d times by the leader and %d by the follower", ran[0].Load(), ran[1].Load())
	}
	// The server drops a's lock connection (restart, network, KILL).
	a.lockMu.Lock()
	var id int64
	err := a.lockConn.QueryRowContext(ctx, `SELECT CONNECTION_ID()`).Scan(&id)
	a.lockMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `KILL ?`, id); err != nil {
		t.Fatal(err)
	}
	// The server frees the lock when the killed session ends, a moment later.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if leader, _ := b.ensureLeader(ctx); leader {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the follower never took the lock of the dead connection")
		}
		<-time.After(20 * time.Millisecond)
	}
	clk.Set(at("2026-11-26 10:05"))
	if _, err := a.tick(ctx, a.byName["digest"], at("2026-11-26 10:05"), model.JobScheduled); !errors.Is(err, errNotLeader) || a.IsLeader() {
		t.Fatalf("the old leader ticked with %v (leader %v)", err, a.IsLeader())
	}
	if _, err := b.tick(ctx, b.byName["digest"], at("2026-11-26 10:05"), model.JobScheduled); err != nil {
		t.Fatal(err)
	}
	if ran[0].Load() != 1 || ran[1].Load() != 1 {
		t.Fatalf("runs: a %d, b %d", ran[0].Load(), ran[1].Load())
	}

	// When b stops, a reconnects and leads again.
	if err := b.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if leader, _ := a.ensureLeader(ctx); !leader {
		t.Fatal("a did not reconnect and take the free lock")
	}
}

func TestLockNamesFitMySQLsLimit(t *testing.T) {
	long := strings.Repeat("d", 64)
	for _, name := range []string{lockName("deputybot", "deputybot_scheduler"), lockName(long, "deputybot_job", "digest")} {
		if len(name) > 64 {
			t.Fatalf("%q is longer than 64", name)
		}
	}
	if lockName(long, "deputybot_job", "a") == lockName(long, "deputybot_job", "b") {
		t.Fatal("two jobs' hashed lock names collide")
	}
	if got := lockName("deputybot", "deputybot_scheduler"); got != "deputybot_scheduler/deputybot" {
		t.Fatalf("leader lock %q", got)
	}
}
