package scheduler

import (
	"context"
	"time"

	"deputybot/core"
)

// CleanupJob deletes rows past their retention r (core.Housekeeping.Prune):
// inbound dedupe traces, expired conversations, old job runs, expired kv
// entries and sessions, never-resumed parked conversations, old binding
// attempts and reports. Its result counts deleted rows per table.
func CleanupJob(svc *core.Services, r core.Retention) Job {
	const name = "cleanup"
	return Job{
		Name:        name,
		Schedule:    "40 3 * * *",
		Description: "delete old inbound traces, expired conversations, kv entries and console sessions, conversations parked over 30 days, binding attempts and delivery reports over 7 days, job runs over 90 days",
		Run: func(ctx context.Context, _ time.Time) (Result, error) {
			counts, err := svc.Housekeeping.Prune(ctx, core.SystemActor(name), r)
			return Result{Counts: counts}, err
		},
	}
}
