package scheduler

import (
	"context"
	"errors"
	"time"

	"deputybot/storage"
)

// Retention says how long the cleanup job keeps rows; a zero field takes
// its default from DefaultRetention.
type Retention struct {
	Inbound       time.Duration // wechat_inbound dedupe traces: WeChat stops retrying within 15 s
	Conversations time.Duration // a conversation after it expired (the engine still says "timed out" meanwhile)
	JobRuns       time.Duration // job_runs history
	Parked        time.Duration // a conversation set aside by a menu click and never resumed
	BindAttempts  time.Duration // failed binding attempts (the lockout looks at the last hour)
	Reports       time.Duration // template delivery reports kept for a send not yet recorded
}

// DefaultRetention is the retention the server uses.
var DefaultRetention = Retention{
	Inbound:       48 * time.Hour,
	Conversations: 24 * time.Hour,
	JobRuns:       90 * 24 * time.Hour,
	Parked:        30 * 24 * time.Hour,
	BindAttempts:  7 * 24 * time.Hour,
	Reports:       7 * 24 * time.Hour,
}

// CleanupJob deletes rows past their retention: inbound dedupe traces,
// expired conversations, old job runs, expired kv entries and sessions,
// never-resumed parked conversations, old binding attempts and reports. Its result
// counts deleted rows per table. A failing step does not stop the others.
func CleanupJob(db *storage.DB, r Retention) Job {
	if r.Inbound <= 0 {
		r.Inbound = DefaultRetention.Inbound
	}
	if r.Conversations <= 0 {
		r.Conversations = DefaultRetention.Conversations
	}
	if r.JobRuns <= 0 {
		r.JobRuns = DefaultRetention.JobRuns
	}
	if r.Parked <= 0 {
		r.Parked = DefaultRetention.Parked
	}
	if r.BindAttempts <= 0 {
		r.BindAttempts = DefaultRetention.BindAttempts
	}
	if r.Reports <= 0 {
		r.Reports = DefaultRetention.Reports
	}
	return Job{
		Name:        "cleanup",
		Schedule:    "40 3 * * *",
		Description: "delete old inbound traces, expired conversations, kv entries and console sessions, conversations parked over 30 days, binding attempts and delivery reports over 7 days, job runs over 90 days",
		Run: func(ctx context.Context, now time.Time) (Result, error) {
			steps := []struct {
				table string
				prune func(context.Context, time.Time) (int64, error)
				until time.Time
			}{
				{"wechat_inbound", db.PruneInbound, now.Add(-r.Inbound)},
				{"conversations", db.PruneConversations, now.Add(-r.Conversations)},
				{"job_runs", db.PruneJobRuns, now.Add(-r.JobRuns)},
				{"kv", db.PruneKV, now},
				{"parked_conversations", db.PruneParked, now.Add(-r.Parked)},
				{"bind_attempts", db.PruneBindAttempts, now.Add(-r.BindAttempts)},
				{"template_reports", db.PruneTemplateReports, now.Add(-r.Reports)},
				{"sessions", db.PruneSessions, now},
			}
			res := Result{Counts: map[string]int{}}
			var errs []error
			for _, s := range steps {
				n, err := s.prune(ctx, s.until)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				res.Counts[s.table] = int(n)
			}
			return res, errors.Join(errs...)
		},
	}
}
