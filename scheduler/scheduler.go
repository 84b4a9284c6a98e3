// Package scheduler runs deputybot's background jobs on cron schedules in
// the configured time zone. Only one instance of a cluster runs them (a
// MySQL GET_LOCK held on a dedicated connection; always this process on
// SQLite), every run is recorded in job_runs, a tick missed while no
// instance was up runs once on start, and any job can be run by hand.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the configured zone must load on hosts without zoneinfo

	"github.com/robfig/cron/v3"

	"deputybot/core"
	"deputybot/model"
	"deputybot/obs"
	"deputybot/storage"
)

// Job is one kind of background work.
type Job struct {
	Name        string // lower-case letters, digits and dashes: "cleanup"
	Schedule    string // a standard 5-field cron spec ("40 3 * * *") or @daily, @hourly…, in the scheduler's zone
	Description string // one line for `deputybot job list`
	// Run does the work. now is the time the run starts. Result.Note is
	// stored and shown: counts or a short remark, never a message text or
	// a phone number.
	Run func(ctx context.Context, now time.Time) (Result, error)
}

// Result is what a run reports.
type Result struct {
	Counts map[string]int
	Note   string
}

// Off as a job's schedule (through WithSchedules) stops its scheduled
// runs; it can still be run by hand.
const Off = "off"

// Errors RunNow returns.
var (
	// ErrUnknownJob: no job of that name is registered.
	ErrUnknownJob = errors.New("unknown job")
	// ErrBusy: the job is already running here or on another instance; the
	// run is recorded as skipped.
	ErrBusy = errors.New("job already running")
)

// errNotLeader means another instance runs the scheduled jobs.
var errNotLeader = errors.New("not the scheduler leader")

// How often a follower tries to become the leader, and the leader checks
// it still is (which also keeps its lock connection alive).
const leaderRetry = 15 * time.Second

// A missed tick of a job that never ran is caught up only this recent.
const firstRunWindow = 24 * time.Hour

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithSchedules overrides jobs' schedules by name (config
// scheduler.jobs.<name>); Off disables a job's scheduled runs.
func WithSchedules(specs map[string]string) Option {
	return func(s *Scheduler) {
		for k, v := range specs {
			s.overrides[k] = v
		}
	}
}

// Scheduler runs registered jobs. Create it with New, Register jobs, Start
// it and Stop it on shutdown.
type Scheduler struct {
	db        *storage.DB
	loc       *time.Location
	log       *slog.Logger
	now       func() time.Time
	overrides map[string]string

	mu      sync.Mutex // guards jobs, byName, started, stopped
	jobs    []*entry
	byName  map[string]*entry
	started bool
	stopped bool

	cron       *cron.Cron
	runCtx     context.Context // jobs' context: cancelled when Stop gives up waiting
	cancelRuns context.CancelFunc
	stopLoop   context.CancelFunc
	wg         sync.WaitGroup
	gained     chan struct{} // a tick found this instance newly leader
	caughtUp   chan struct{} // closed when Start's catch-up is over

	leader   atomic.Bool
	lockMu   sync.Mutex // guards lockConn, lockBase
	lockConn lockConn
	lockBase string
}

type entry struct {
	Job
	sched cron.Schedule // nil when Off
	id    cron.EntryID  // in s.cron, after Start
	busy  sync.Mutex    // held while the job runs in this process
}

// New returns a scheduler recording runs in db, on the clock and in the
// time zone of svc, the use cases its jobs run: cron itself keeps real
// time; svc's clock decides scheduled times, missed runs and records (a
// test moves it), its zone reads the schedules.
func New(db *storage.DB, svc *core.Services, log *slog.Logger, opts ...Option) *Scheduler {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Scheduler{db: db, loc: svc.Location(), log: log, now: svc.Now, overrides: map[string]string{},
		byName: map[string]*entry{}, gained: make(chan struct{}, 1), caughtUp: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	// One process owns a SQLite file, so it always leads.
	s.leader.Store(db.Dialect() != storage.MySQL)
	return s
}

// Register adds jobs. It checks every name (unique, lower-case) and
// schedule (after WithSchedules overrides) and adds none if one is bad.
func (s *Scheduler) Register(jobs ...Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("scheduler: register after start")
	}
	var add []*entry
	seen := map[string]bool{}
	for _, j := range jobs {
		if !nameRE.MatchString(j.Name) {
			return fmt.Errorf("scheduler: job name %q: use 1-32 lower-case letters, digits and dashes", j.Name)
		}
		if s.byName[j.Name] != nil || seen[j.Name] {
			return fmt.Errorf("scheduler: job %q registered twice", j.Name)
		}
		if j.Run == nil {
			return fmt.Errorf("scheduler: job %q has no Run", j.Name)
		}
		if spec, ok := s.overrides[j.Name]; ok {
			j.Schedule = strings.TrimSpace(spec)
		}
		e := &entry{Job: j}
		if j.Schedule != Off {
			sched, err := parse(j.Schedule, s.loc)
			if err != nil {
				return fmt.Errorf("scheduler: job %s: %w", j.Name, err)
			}
			e.sched = sched
		}
		seen[j.Name] = true
		add = append(add, e)
	}
	for _, e := range add {
		s.jobs = append(s.jobs, e)
		s.byName[e.Name] = e
	}
	return nil
}

// Jobs returns the registered jobs in registration order, each with its
// effective schedule.
func (s *Scheduler) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, len(s.jobs))
	for i, e := range s.jobs {
		out[i] = e.Job
	}
	return out
}

func (s *Scheduler) entries() []*entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*entry(nil), s.jobs...)
}

// IsLeader reports whether this instance ran jobs at its last check.
func (s *Scheduler) IsLeader() bool { return s.leader.Load() }

// Start schedules the registered jobs, tries to become the leader and, if
// it is, runs missed ticks once in the background. Jobs run with ctx's
// values but are cancelled only by Stop. It fails when a schedule
// override names no registered job.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("scheduler: already started")
	}
	var unknown []string
	for name := range s.overrides {
		if s.byName[name] == nil {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		s.mu.Unlock()
		sort.Strings(unknown)
		return fmt.Errorf("scheduler: schedules given for unknown jobs %s (known: %s)",
			strings.Join(unknown, ", "), strings.Join(s.namesLocked(), ", "))
	}
	s.started = true
	s.runCtx, s.cancelRuns = context.WithCancel(context.WithoutCancel(ctx))
	var loopCtx context.Context
	loopCtx, s.stopLoop = context.WithCancel(s.runCtx)
	logger := cronLogger{s.log}
	// Recover is innermost, right around the job: v3.0.1 does not recover
	// by default, and SkipIfStillRunning must release its slot after a panic.
	s.cron = cron.New(cron.WithLocation(s.loc), cron.WithLogger(logger),
		cron.WithChain(cron.SkipIfStillRunning(logger), cron.Recover(logger)))
	for _, e := range s.jobs {
		if e.sched != nil {
			e.id = s.cron.Schedule(e.sched, cron.FuncJob(func() { s.onTick(e) }))
		}
	}
	s.mu.Unlock()

	s.cron.Start()
	if leader, gained := s.ensureLeader(ctx); gained || (leader && s.db.Dialect() != storage.MySQL) {
		s.wg.Go(func() {
			defer close(s.caughtUp)
			s.takeOver(s.runCtx)
		})
	} else {
		close(s.caughtUp)
	}
	if s.db.Dialect() == storage.MySQL {
		s.wg.Go(func() { s.leaderLoop(loopCtx) })
	}
	s.log.Info("scheduler started", "jobs", len(s.jobs), "leader", s.IsLeader(), "timezone", s.loc.String())
	return nil
}

func (s *Scheduler) namesLocked() []string {
	names := make([]string, len(s.jobs))
	for i, e := range s.jobs {
		names[i] = e.Name
	}
	return names
}

// Stop stops scheduling, waits for running jobs until ctx ends (then
// cancels them and returns an error) and gives up the leader lock. It may
// be called without Start, and more than once.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	started, stopped := s.started, s.stopped
	s.stopped = true
	s.mu.Unlock()
	var err error
	if started && !stopped {
		s.stopLoop()
		cronDone := s.cron.Stop()
		done := make(chan struct{})
		go func() {
			<-cronDone.Done()
			s.wg.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			err = fmt.Errorf("scheduler: stop: jobs still running: %w", ctx.Err())
		}
		s.cancelRuns()
	}
	s.releaseLeader()
	return err
}

// leaderLoop retries leadership (or confirms it) every leaderRetry, and
// takes over when this instance becomes the leader.
func (s *Scheduler) leaderLoop(ctx context.Context) {
	t := time.NewTicker(leaderRetry)
	defer t.Stop()
	for {
		gained := false
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, gained = s.ensureLeader(ctx)
		case <-s.gained:
			gained = true
		}
		if gained {
			s.takeOver(s.runCtx)
		}
	}
}

// takeOver runs when this instance becomes the leader: runs left running
// by a dead leader are marked failed, then missed ticks run once.
func (s *Scheduler) takeOver(ctx context.Context) {
	if n, err := s.db.InterruptJobRuns(ctx, s.now(), "interrupted: the instance running it stopped"); err != nil {
		s.log.Warn("scheduler: mark interrupted runs", "err", err)
	} else if n > 0 {
		s.log.Warn("scheduler: runs interrupted by a stopped instance marked failed", "count", n)
	}
	s.catchUp(ctx)
}

// catchUp runs, once, each job whose latest tick before now has no run
// recorded at or after it: if the job ran before, or the tick is within a
// day (a new install does not run every job at first start).
func (s *Scheduler) catchUp(ctx context.Context) {
	now := s.now()
	for _, e := range s.entries() {
		due := missedTick(ctx, s.db, e, now, s.loc)
		if due.IsZero() {
			continue
		}
		s.log.Info("scheduler: running a missed job", "job", e.Name, "scheduled_at", due.In(s.loc))
		if _, err := s.tick(ctx, e, due, model.JobCatchUp); err != nil && !errors.Is(err, ErrBusy) && !errors.Is(err, errNotLeader) {
			s.log.Warn("scheduler: missed job", "job", e.Name, "err", err)
		}
	}
}

// missedTick returns the tick of e to catch up at now, or zero.
func missedTick(ctx context.Context, db *storage.DB, e *entry, now time.Time, loc *time.Location) time.Time {
	if e.sched == nil {
		return time.Time{}
	}
	due := prevTick(e.sched, now.In(loc))
	if due.IsZero() {
		return due
	}
	last, err := db.LastJobRun(ctx, e.Name)
	switch {
	case err == nil && last.ScheduledAt.Before(due):
		return due
	case errors.Is(err, model.ErrNotFound) && now.Sub(due) <= firstRunWindow:
		return due
	}
	return time.Time{}
}

// onTick is what cron calls at e's scheduled time.
func (s *Scheduler) onTick(e *entry) {
	now := s.now()
	at := prevTick(e.sched, now.In(s.loc))
	if at.IsZero() {
		at = now
	}
	if _, err := s.tick(s.runCtx, e, at, model.JobScheduled); errors.Is(err, errNotLeader) {
		s.log.Debug("scheduler: another instance runs jobs", "job", e.Name)
	}
}

// RunNow runs the named job once, now, and records it as a manual run
// scheduled now. It does not need the leader lock (a running server holds
// it for as long as it lives): it takes the job's own lock instead, the
// same one scheduled runs take, so it never overlaps a run of the same
// job on any instance. A run that fails returns its error with the
// record; a run that could not start because the job is running returns
// ErrBusy with the skipped record.
func (s *Scheduler) RunNow(ctx context.Context, name string) (model.JobRun, error) {
	s.mu.Lock()
	e := s.byName[name]
	names := s.namesLocked()
	s.mu.Unlock()
	if e == nil {
		return model.JobRun{}, fmt.Errorf("scheduler: %w %q (known: %s)", ErrUnknownJob, name, strings.Join(names, ", "))
	}
	return s.tick(ctx, e, s.now(), model.JobManual)
}

// tick runs e for its tick at scheduledAt, if this instance is the leader
// (manual runs need not be) and no run of e is in progress anywhere, and
// records the run. A catch-up run is dropped silently when busy or when a
// run at or after scheduledAt was recorded meanwhile.
func (s *Scheduler) tick(ctx context.Context, e *entry, scheduledAt time.Time, kind string) (model.JobRun, error) {
	if kind != model.JobManual {
		leader, gained := s.ensureLeader(ctx)
		if !leader {
			return model.JobRun{}, errNotLeader
		}
		if gained && kind == model.JobScheduled {
			select { // the leader loop catches up the other jobs
			case s.gained <- struct{}{}:
			default:
			}
		}
	}
	if !e.busy.TryLock() {
		return s.skip(ctx, e, scheduledAt, kind, "already running in this instance")
	}
	defer e.busy.Unlock()
	release, ok, err := s.lockJob(ctx, e.Name)
	if err != nil {
		return model.JobRun{}, fmt.Errorf("scheduler: job %s: %w", e.Name, err)
	}
	if !ok {
		return s.skip(ctx, e, scheduledAt, kind, "already running on another instance")
	}
	defer release()
	if kind == model.JobCatchUp && missedTick(ctx, s.db, e, s.now(), s.loc).IsZero() {
		return model.JobRun{}, ErrBusy // another instance or tick ran it meanwhile
	}
	run, err := s.db.RecordJobRun(ctx, model.JobRun{Job: e.Name, Kind: kind, ScheduledAt: scheduledAt, StartedAt: s.now()})
	if errors.Is(err, model.ErrConflict) {
		return s.skip(ctx, e, scheduledAt, kind, "already running in another process")
	}
	if err != nil {
		return run, fmt.Errorf("scheduler: job %s: %w", e.Name, err)
	}
	res, runErr := s.call(ctx, e, run.StartedAt)
	run.Status, run.Counts, run.Note, run.FinishedAt = model.JobOK, res.Counts, res.Note, s.now()
	if runErr != nil {
		run.Status, run.Note = model.JobFailed, runErr.Error()
	}
	// Record the outcome even when ctx was cancelled during the run.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.db.FinishJobRun(fctx, &run); err != nil {
		s.log.Error("scheduler: record job run", "job", e.Name, "err", err)
	}
	obs.CronRun(e.Name, run.Status)
	attrs := []any{"job", e.Name, "kind", kind, "status", run.Status, "duration", run.FinishedAt.Sub(run.StartedAt).Round(time.Millisecond)}
	for k, v := range run.Counts {
		attrs = append(attrs, "count_"+k, v)
	}
	if runErr != nil {
		s.log.Error("job failed", append(attrs, "err", runErr)...)
		return run, fmt.Errorf("scheduler: job %s: %w", e.Name, runErr)
	}
	s.log.Info("job finished", attrs...)
	return run, nil
}

// skip records a run of e that did not start because one is in progress.
// A catch-up is not recorded: nothing was due that is not running.
func (s *Scheduler) skip(ctx context.Context, e *entry, scheduledAt time.Time, kind, why string) (model.JobRun, error) {
	if kind == model.JobCatchUp {
		return model.JobRun{}, ErrBusy
	}
	now := s.now()
	run, err := s.db.RecordJobRun(ctx, model.JobRun{Job: e.Name, Kind: kind, ScheduledAt: scheduledAt,
		StartedAt: now, FinishedAt: now, Status: model.JobSkipped, Note: why})
	if err != nil {
		s.log.Error("scheduler: record skipped run", "job", e.Name, "err", err)
	}
	s.log.Warn("job skipped", "job", e.Name, "kind", kind, "reason", why)
	obs.CronRun(e.Name, model.JobSkipped)
	return run, fmt.Errorf("scheduler: job %s: %w (%s)", e.Name, ErrBusy, why)
}

// call runs e, turning a panic into an error so the run is recorded as
// failed (cron.Recover, outside, only logs).
func (s *Scheduler) call(ctx context.Context, e *entry, now time.Time) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("job panicked", "job", e.Name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			res, err = Result{}, fmt.Errorf("panic: %v", p)
		}
	}()
	return e.Run(ctx, now)
}

// cronLogger sends cron's own logging to slog; its chatter goes to debug.
type cronLogger struct{ log *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.log.Debug("cron: "+msg, kv...) }

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.log.Error("cron: "+msg, append(kv, "err", err)...)
}
