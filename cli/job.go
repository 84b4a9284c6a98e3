package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"deputybot/config"
	"deputybot/core"
	"deputybot/model"
	"deputybot/scheduler"
	"deputybot/storage"
)

// defaultJobs is every job the server schedules; `job list` and `job run`
// show and run the same set. They run svc's use cases.
func defaultJobs(db *storage.DB, svc *core.Services, cfg config.Config, log *slog.Logger) []scheduler.Job {
	outbox := newOutbox(db, svc, cfg, cfg.HTTP.PublicURL, log)
	jobs := []scheduler.Job{scheduler.CleanupJob(svc, core.DefaultRetention)}
	jobs = append(jobs, scheduler.DeputyJobs(svc, outbox)...)
	jobs = append(jobs, scheduler.SupervisionJobs(svc)...)
	jobs = append(jobs, scheduler.LiaisonJobs(svc)...)
	return append(jobs, scheduler.SeriesJob(svc, outbox))
}

// newJobScheduler returns a scheduler with defaultJobs registered, on
// svc's clock and in its time zone.
func newJobScheduler(db *storage.DB, svc *core.Services, cfg config.Config, log *slog.Logger) (*scheduler.Scheduler, error) {
	s := scheduler.New(db, svc, log, scheduler.WithSchedules(cfg.Scheduler.Jobs))
	if err := s.Register(defaultJobs(db, svc, cfg, log)...); err != nil {
		return nil, fmt.Errorf("scheduler.jobs: %w", err)
	}
	return s, nil
}

func init() {
	list := &command{
		name: "job list", summary: "list the scheduled jobs and their last runs",
		usage: "[--config FILE]",
		help: `Lists every background job serve runs: its name, cron schedule (in the
configured time zone), last run and what it does. Only one instance of a
cluster runs the jobs; every run, on any instance, is recorded in the
database, so this shows the cluster's last runs.

Example:
  deputybot job list --config /etc/deputybot.yaml`,
	}
	list.run = func(ctx context.Context, e *env, args []string) int {
		fs := list.flags(e)
		path := configFlag(fs)
		if code, ok := list.parse(e, fs, args); !ok {
			return code
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(e.stderr, "deputybot job list: unexpected argument %q\n", fs.Arg(0))
			return exitUsage
		}
		return withScheduler(ctx, e, *path, func(s *scheduler.Scheduler, db *storage.DB, svc *core.Services) int {
			w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tSCHEDULE\tLAST RUN\tSTATUS\tDESCRIPTION")
			for _, j := range s.Jobs() {
				last, status := "never", "-"
				r, err := db.LastJobRun(ctx, j.Name)
				switch {
				case err == nil:
					last, status = r.StartedAt.In(svc.Location()).Format("2006-01-02 15:04:05"), r.Status
				case !errors.Is(err, model.ErrNotFound):
					fmt.Fprintf(e.stderr, "deputybot job list: %v\n", err)
					return exitFailure
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", j.Name, j.Schedule, last, status, j.Description)
			}
			if err := w.Flush(); err != nil {
				return exitFailure
			}
			return exitOK
		})
	}
	register(list)

	run := &command{
		name: "job run", summary: "run a scheduled job once, now",
		usage: "NAME [--config FILE]",
		help: `Runs one background job now, records the run like a scheduled one and
prints what it did. If the job is running at that moment (on this machine
or on any instance sharing the database) it does not start a second time.
'deputybot job list' shows the names.

Example:
  deputybot job run cleanup --config /etc/deputybot.yaml`,
	}
	run.run = func(ctx context.Context, e *env, args []string) int {
		fs := run.flags(e)
		path := configFlag(fs)
		name, code, ok := fileArg(run, e, fs, args)
		if !ok {
			return code
		}
		return withScheduler(ctx, e, *path, func(s *scheduler.Scheduler, _ *storage.DB, _ *core.Services) int {
			start := time.Now()
			r, err := s.RunNow(ctx, name)
			switch {
			case errors.Is(err, scheduler.ErrUnknownJob):
				fmt.Fprintf(e.stderr, "deputybot job run: no job %q; the jobs are: %s\n", name, strings.Join(jobNames(s), ", "))
				return exitUsage
			case errors.Is(err, scheduler.ErrBusy):
				fmt.Fprintf(e.stderr, "deputybot job run: %s is running already (%s); try again when it is done\n", name, r.Note)
				return exitFailure
			case r.ID == 0 && err != nil:
				fmt.Fprintf(e.stderr, "deputybot job run: %v\n", err)
				return exitFailure
			}
			fmt.Fprintf(e.stdout, "%s: %s in %.2fs\n", name, r.Status, time.Since(start).Seconds())
			printCounts(e, r.Counts)
			if err != nil {
				fmt.Fprintf(e.stderr, "deputybot job run: %s failed: %s\n", name, r.Note)
				return exitFailure
			}
			if r.Note != "" {
				fmt.Fprintf(e.stdout, "  %s\n", r.Note)
			}
			return exitOK
		})
	}
	register(run)
}

func withScheduler(ctx context.Context, e *env, cfgPath string, fn func(*scheduler.Scheduler, *storage.DB, *core.Services) int) int {
	return withServices(ctx, e, cfgPath, func(svc *core.Services, db *storage.DB, cfg config.Config) int {
		s, err := newJobScheduler(db, svc, cfg, newLogger(cfg, e.stderr))
		if err != nil {
			fmt.Fprintf(e.stderr, "deputybot: %v\n", err)
			return exitUsage
		}
		return fn(s, db, svc)
	})
}

func jobNames(s *scheduler.Scheduler) []string {
	var names []string
	for _, j := range s.Jobs() {
		names = append(names, j.Name)
	}
	return names
}

func printCounts(e *env, counts map[string]int) {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	width := 0
	for _, k := range keys {
		width = max(width, len(k))
	}
	for _, k := range keys {
		fmt.Fprintf(e.stdout, "  %-*s %d\n", width, k, counts[k])
	}
}
