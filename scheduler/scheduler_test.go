package scheduler

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// clock is a settable clock safe for the scheduler's goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// servicesOn returns the use cases over db on clk, in Shanghai: the one
// clock the scheduler and its jobs read.
func servicesOn(db *storage.DB, clk *clock) *core.Services {
	return core.New(db, core.Options{Now: clk.Now, Loc: shanghai})
}

func newScheduler(t *testing.T, db *storage.DB, clk *clock, jobs ...Job) *Scheduler {
	t.Helper()
	s := New(db, servicesOn(db, clk), quiet())
	if err := s.Register(jobs...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s
}

func counting(name, spec string, counts map[string]int) Job {
	return Job{Name: name, Schedule: spec, Description: "test job",
		Run: func(context.Context, time.Time) (Result, error) { return Result{Counts: counts, Note: "done"}, nil }}
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func runs(t *testing.T, db *storage.DB, job string) []model.JobRun {
	t.Helper()
	rs, err := db.ListJobRuns(context.Background(), job, 100)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestAScheduledRunIsRecordedWithItsCounts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk := newClock(at("2026-11-26 03:40"))
		var got time.Time
		job := counting("cleanup", "40 3 * * *", map[string]int{"kv": 2, "conversations": 5})
		inner := job.Run
		job.Run = func(ctx context.Context, now time.Time) (Result, error) {
			got = now
			clk.Set(now.Add(3 * time.Second))
			return inner(ctx, now)
		}
		s := newScheduler(t, db, clk, job)
		run, err := s.tick(ctx, s.byName["cleanup"], at("2026-11-26 03:40"), model.JobScheduled)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(at("2026-11-26 03:40")) {
			t.Fatalf("the job was given now = %v", got)
		}
		rs := runs(t, db, "cleanup")
		if len(rs) != 1 {
			t.Fatalf("%d runs recorded, want 1", len(rs))
		}
		r := rs[0]
		if r.ID != run.ID || r.Status != model.JobOK || r.Kind != model.JobScheduled || r.Note != "done" ||
			r.Counts["kv"] != 2 || r.Counts["conversations"] != 5 ||
			!r.ScheduledAt.Equal(at("2026-11-26 03:40")) || r.FinishedAt.Sub(r.StartedAt) != 3*time.Second {
			t.Fatalf("recorded %+v", r)
		}
	})
}

func TestAFailingJobIsRecordedWithItsError(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		clk := newClock(at("2026-11-26 03:40"))
		s := newScheduler(t, db, clk, Job{Name: "flaky", Schedule: "@hourly", Run: func(context.Context, time.Time) (Result, error) {
			return Result{Counts: map[string]int{"sent": 3}}, errors.New("wechat: system busy")
		}})
		if _, err := s.tick(context.Background(), s.byName["flaky"], at("2026-11-26 03:00"), model.JobScheduled); err == nil {
			t.Fatal("a failing job gave no error")
		}
		r := runs(t, db, "flaky")[0]
		if r.Status != model.JobFailed || r.Note != "wechat: system busy" || r.Counts["sent"] != 3 {
			t.Fatalf("recorded %+v", r)
		}
	})
}

func TestAPanickingJobIsRecordedFailedAndTheSchedulerGoesOn(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		// Real cron runs too: daily specs keep it from firing during the test.
		clk := newClock(at("2026-11-25 10:00"))
		boom := Job{Name: "boom", Schedule: "0 10 * * *", Run: func(context.Context, time.Time) (Result, error) {
			panic("kaboom")
		}}
		s := newScheduler(t, db, clk, boom, counting("fine", "0 10 * * *", nil))
		// Ran at the latest tick already: nothing to catch up at start.
		for _, name := range []string{"boom", "fine"} {
			if _, err := db.RecordJobRun(context.Background(), model.JobRun{Job: name, ScheduledAt: at("2026-11-25 10:00"),
				StartedAt: at("2026-11-25 10:00"), Status: model.JobOK, FinishedAt: at("2026-11-25 10:00")}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		<-s.caughtUp
		// Fire the jobs as cron does, through its chain.
		for i, tickAt := range []string{"2026-11-26 10:00", "2026-11-27 10:00"} {
			clk.Set(at(tickAt).Add(20 * time.Millisecond))
			s.cron.Entry(s.byName["boom"].id).WrappedJob.Run()
			s.cron.Entry(s.byName["fine"].id).WrappedJob.Run()
			rs := runs(t, db, "boom")
			if len(rs) != i+2 || rs[0].Status != model.JobFailed || !strings.Contains(rs[0].Note, "panic: kaboom") ||
				!rs[0].ScheduledAt.Equal(at(tickAt)) || rs[0].FinishedAt.IsZero() {
				t.Fatalf("after the tick at %s the panicking job has %+v", tickAt, rs)
			}
			if rs := runs(t, db, "fine"); len(rs) != i+2 || rs[0].Status != model.JobOK {
				t.Fatalf("after the tick at %s the other job has %+v", tickAt, rs)
			}
		}
		if err := s.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAMissedRunRunsOnceOnStart(t *testing.T) {
	daily := "0 3 * * *"
	cases := []struct {
		name    string
		spec    string
		lastRun string // scheduled time of the last recorded run; "" for never
		now     string
		wantRun string // scheduled time of the catch-up run; "" for none
	}{
		{name: "a tick missed since the last run is caught up", spec: daily, lastRun: "2026-11-24 03:00", now: "2026-11-26 10:00", wantRun: "2026-11-26 03:00"},
		{name: "a job that ran at its latest tick is not run", spec: daily, lastRun: "2026-11-26 03:00", now: "2026-11-26 10:00"},
		{name: "a manual run after the latest tick counts", spec: daily, lastRun: "2026-11-26 08:12", now: "2026-11-26 10:00"},
		{name: "a job that never ran is caught up within a day", spec: daily, now: "2026-11-26 10:00", wantRun: "2026-11-26 03:00"},
		{name: "a job that never ran is not caught up after a day", spec: "0 3 * * 1", now: "2026-11-26 10:00"},
		{name: "a job that ran long ago is caught up however old its tick", spec: "0 3 * * 1", lastRun: "2026-11-02 03:00", now: "2026-11-26 10:00", wantRun: "2026-11-23 03:00"},
		{name: "a disabled job is not caught up", spec: Off, lastRun: "2026-11-24 03:00", now: "2026-11-26 10:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				ctx := context.Background()
				clk := newClock(at(tc.now))
				if tc.lastRun != "" {
					if _, err := db.RecordJobRun(ctx, model.JobRun{Job: "digest", ScheduledAt: at(tc.lastRun),
						StartedAt: at(tc.lastRun), Status: model.JobOK, FinishedAt: at(tc.lastRun)}); err != nil {
						t.Fatal(err)
					}
				}
				// Two starts, as after two restarts: the missed run runs once.
				for range 2 {
					s := newScheduler(t, db, clk, counting("digest", tc.spec, nil))
					if err := s.Start(ctx); err != nil {
						t.Fatal(err)
					}
					if err := s.Stop(ctx); err != nil {
						t.Fatal(err)
					}
				}
				var caught []model.JobRun
				for _, r := range runs(t, db, "digest") {
					if r.Kind == model.JobCatchUp {
						caught = append(caught, r)
					}
				}
				switch {
				case tc.wantRun == "" && len(caught) > 0:
					t.Fatalf("caught up %+v, want nothing", caught)
				case tc.wantRun != "" && len(caught) != 1:
					t.Fatalf("caught up %d runs, want 1 for %s", len(caught), tc.wantRun)
				case tc.wantRun != "" && (!caught[0].ScheduledAt.Equal(at(tc.wantRun)) || caught[0].Status != model.JobOK):
					t.Fatalf("caught up %+v, want the tick at %s", caught[0], tc.wantRun)
				}
			})
		})
	}
}

func TestARunLeftRunningByADeadProcessIsMarkedFailedOnStart(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk := newClock(at("2026-11-26 10:00"))
		db.SetClock(clk.Now)
		if _, err := db.RecordJobRun(ctx, model.JobRun{Job: "digest", ScheduledAt: at("2026-11-26 09:00"), StartedAt: at("2026-11-26 09:00")}); err != nil {
			t.Fatal(err)
		}
		s := newScheduler(t, db, clk, counting("digest", "0 * * * *", nil))
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		rs := runs(t, db, "digest")
		if len(rs) != 2 || rs[1].Status != model.JobFailed || !strings.Contains(rs[1].Note, "interrupted") {
			t.Fatalf("runs %+v", rs)
		}
		if rs[0].Kind != model.JobCatchUp || !rs[0].ScheduledAt.Equal(at("2026-11-26 10:00")) || rs[0].Status != model.JobOK {
			t.Fatalf("the 10:00 tick was not caught up: %+v", rs[0])
		}
	})
}

func TestRunNow(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk := newClock(at("2026-11-26 15:04"))
		s := newScheduler(t, db, clk, counting("cleanup", "40 3 * * *", map[string]int{"kv": 1}))
		run, err := s.RunNow(ctx, "cleanup")
		if err != nil {
			t.Fatal(err)
		}
		if run.Kind != model.JobManual || run.Status != model.JobOK || run.Counts["kv"] != 1 || !run.ScheduledAt.Equal(clk.Now()) {
			t.Fatalf("run %+v", run)
		}
		if last, err := db.LastJobRun(ctx, "cleanup"); err != nil || last.ID != run.ID || last.Status != model.JobOK {
			t.Fatalf("recorded %+v, %v", last, err)
		}
		if _, err := s.RunNow(ctx, "nope"); !errors.Is(err, ErrUnknownJob) || !strings.Contains(err.Error(), "cleanup") {
			t.Fatalf("an unknown job gives %v", err)
		}
	})
}

func TestARunNeverOverlapsAnotherRunOfTheSameJob(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk := newClock(at("2026-11-26 15:04"))
		started, finish := make(chan struct{}), make(chan struct{})
		slow := Job{Name: "digest", Schedule: "0 * * * *", Run: func(context.Context, time.Time) (Result, error) {
			close(started)
			<-finish
			return Result{}, nil
		}}
		a := newScheduler(t, db, clk, slow)
		// b is another instance (on SQLite, another process such as `deputybot job run`).
		b := newScheduler(t, db, clk, counting("digest", "0 * * * *", nil))
		done := make(chan error, 1)
		go func() {
			_, err := a.RunNow(ctx, "digest")
			done <- err
		}()
		<-started
		if run, err := a.tick(ctx, a.byName["digest"], at("2026-11-26 16:00"), model.JobScheduled); !errors.Is(err, ErrBusy) || run.Status != model.JobSkipped {
			t.Fatalf("a tick in the same instance during a run: %+v, %v", run, err)
		}
		if run, err := b.RunNow(ctx, "digest"); !errors.Is(err, ErrBusy) || run.Status != model.JobSkipped {
			t.Fatalf("a run elsewhere during a run: %+v, %v", run, err)
		}
		close(finish)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if _, err := b.RunNow(ctx, "digest"); err != nil {
			t.Fatalf("a run after the first finished: %v", err)
		}
		var statuses []string
		for _, r := range runs(t, db, "digest") {
			statuses = append(statuses, r.Status)
		}
		if got := strings.Join(statuses, ","); got != "ok,skipped,skipped,ok" {
			t.Fatalf("runs newest first: %s", got)
		}
	})
}

func TestSQLiteIsAlwaysTheLeader(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	clk := newClock(at("2026-11-26 10:00"))
	a := newScheduler(t, db, clk, counting("cleanup", "*/5 * * * *", nil))
	if !a.IsLeader() {
		t.Fatal("a SQLite scheduler is not the leader before start")
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.tick(context.Background(), a.byName["cleanup"], at("2026-11-26 10:05"), model.JobScheduled); err != nil || !a.IsLeader() {
		t.Fatalf("tick: %v, leader %v", err, a.IsLeader())
	}
	if err := a.Stop(context.Background()); err != nil || !a.IsLeader() {
		t.Fatalf("stop: %v, leader %v", err, a.IsLeader())
	}
}

func TestStopWaitsForRunningJobsUntilItsDeadline(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	clk := newClock(at("2026-11-26 10:00"))
	started := make(chan struct{})
	s := newScheduler(t, db, clk, Job{Name: "stuck", Schedule: "0 10 * * *", Run: func(ctx context.Context, _ time.Time) (Result, error) {
		close(started)
		<-ctx.Done()
		return Result{}, ctx.Err()
	}})
	if err := s.Start(context.Background()); err != nil { // catches up the 10:00 tick
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stop gave %v, want a deadline error", err)
	}
	// Stop cancelled the job; it records its end.
	s.wg.Wait()
	if rs := runs(t, db, "stuck"); len(rs) != 1 || rs[0].Status != model.JobFailed || !strings.Contains(rs[0].Note, "context canceled") {
		t.Fatalf("runs %+v", rs)
	}
}

func TestRegisterChecksNamesAndSchedules(t *testing.T) {
	ok := func(context.Context, time.Time) (Result, error) { return Result{}, nil }
	cases := []struct {
		name      string
		jobs      []Job
		overrides map[string]string
		want      string // in the error; "" for success
	}{
		{name: "a standard spec is accepted", jobs: []Job{{Name: "a", Schedule: "*/10 8-20 * * 1-5", Run: ok}}},
		{name: "a descriptor is accepted", jobs: []Job{{Name: "a", Schedule: "@daily", Run: ok}}},
		{name: "a spec with seconds is refused", jobs: []Job{{Name: "a", Schedule: "0 40 3 * * *", Run: ok}}, want: "schedule"},
		{name: "@every is refused", jobs: []Job{{Name: "a", Schedule: "@every 1h", Run: ok}}, want: "@every"},
		{name: "a schedule that never fires is refused", jobs: []Job{{Name: "a", Schedule: "0 0 30 2 *", Run: ok}}, want: "never fires"},
		{name: "an empty schedule is refused", jobs: []Job{{Name: "a", Run: ok}}, want: "empty"},
		{name: "a duplicate name is refused", jobs: []Job{{Name: "a", Schedule: "@daily", Run: ok}, {Name: "a", Schedule: "@daily", Run: ok}}, want: "twice"},
		{name: "an upper-case name is refused", jobs: []Job{{Name: "Cleanup", Schedule: "@daily", Run: ok}}, want: "name"},
		{name: "a job without Run is refused", jobs: []Job{{Name: "a", Schedule: "@daily"}}, want: "no Run"},
		{name: "an override replaces the schedule", jobs: []Job{{Name: "a", Schedule: "bad", Run: ok}}, overrides: map[string]string{"a": "5 4 * * *"}},
		{name: "a bad override is refused", jobs: []Job{{Name: "a", Schedule: "@daily", Run: ok}}, overrides: map[string]string{"a": "25:00"}, want: "schedule"},
		{name: "off disables a job", jobs: []Job{{Name: "a", Schedule: "@daily", Run: ok}}, overrides: map[string]string{"a": Off}},
	}
	db := storagetest.Open(t, storage.SQLite)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(db, core.New(db, core.Options{Loc: shanghai}), quiet(), WithSchedules(tc.overrides))
			err := s.Register(tc.jobs...)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if tc.want != "" && len(s.Jobs()) != 0 {
				t.Fatalf("a refused registration added %d jobs", len(s.Jobs()))
			}
			if spec, ok := tc.overrides["a"]; ok && tc.want == "" && s.Jobs()[0].Schedule != spec {
				t.Fatalf("effective schedule %q, want %q", s.Jobs()[0].Schedule, spec)
			}
		})
	}
	t.Run("a schedule for an unknown job stops the start", func(t *testing.T) {
		s := New(db, core.New(db, core.Options{Loc: shanghai}), quiet(), WithSchedules(map[string]string{"digset": "@daily"}))
		if err := s.Register(Job{Name: "digest", Schedule: "@daily", Run: ok}); err != nil {
			t.Fatal(err)
		}
		if err := s.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "digset") || !strings.Contains(err.Error(), "digest") {
			t.Fatalf("start gave %v", err)
		}
	})
}

func TestPrevTick(t *testing.T) {
	cases := []struct{ spec, now, want string }{
		{"40 3 * * *", "2026-11-26 10:00", "2026-11-26 03:40"},
		{"40 3 * * *", "2026-11-26 03:40", "2026-11-26 03:40"},
		{"40 3 * * *", "2026-11-26 03:39", "2026-11-25 03:40"},
		{"*/5 * * * *", "2026-11-26 10:07", "2026-11-26 10:05"},
		{"0 9 * * 1", "2026-11-26 10:00", "2026-11-23 09:00"},
		{"0 0 1 1 *", "2026-11-26 10:00", "2026-01-01 00:00"},
		{"* 3 1 1 *", "2026-11-26 10:00", "2026-01-01 03:59"},
	}
	for _, tc := range cases {
		t.Run(tc.spec+" at "+tc.now, func(t *testing.T) {
			sched, err := parse(tc.spec, shanghai)
			if err != nil {
				t.Fatal(err)
			}
			if got := prevTick(sched, at(tc.now)); !got.Equal(at(tc.want)) {
				t.Fatalf("got %v, want %s", got, tc.want)
			}
		})
	}
}
