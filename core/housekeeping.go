package core

import (
	"context"
	"errors"
	"time"

	"deputybot/model"
)

// Housekeeping deletes what the service keeps only for a while: the
// callback's dedupe traces, conversations, job runs, sessions and the
// like. The cleanup job runs it nightly.
type Housekeeping struct{ *env }

// Retention says how long Prune keeps rows; a zero field takes its
// default from DefaultRetention.
type Retention struct {
	Inbound       time.Duration // wechat_inbound dedupe traces: WeChat stops retrying within 15 s
	Conversations time.Duration // a conversation after it expired (its draft is parked when the deputy writes again within model.DraftKeep)
	JobRuns       time.Duration // job_runs history
	Parked        time.Duration // a conversation set aside by a menu click and never resumed
	BindAttempts  time.Duration // failed binding attempts (the lockout looks at the last hour)
	Reports       time.Duration // template delivery reports kept for a send not yet recorded
	Nonces        time.Duration // plaintext callbacks' (timestamp, nonce): a signature is accepted 5 minutes either side
}

// DefaultRetention is the retention the server uses.
var DefaultRetention = Retention{
	Inbound:       48 * time.Hour,
	Conversations: model.DraftKeep + 24*time.Hour,
	JobRuns:       90 * 24 * time.Hour,
	Parked:        30 * 24 * time.Hour,
	BindAttempts:  7 * 24 * time.Hour,
	Reports:       7 * 24 * time.Hour,
	Nonces:        time.Hour,
}

// keep is d, or def when d is not set.
func keep(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Prune deletes, as of now on the services' clock, inbound dedupe
// traces, expired conversations, old job runs, expired kv entries and
// sessions, never-resumed parked conversations, old binding attempts,
// delivery reports and callback nonces past r, and counts the deleted rows per table. A
// failing step does not stop the others. Only a job (or an administrator)
// prunes; nothing is audited, the job's run records the counts.
func (h *Housekeeping) Prune(ctx context.Context, by Actor, r Retention) (map[string]int, error) {
	if err := requireJob(by); err != nil {
		return nil, err
	}
	now, def := h.now(), DefaultRetention
	steps := []struct {
		table string
		prune func(context.Context, time.Time) (int64, error)
		until time.Time
	}{
		{"wechat_inbound", h.db.PruneInbound, now.Add(-keep(r.Inbound, def.Inbound))},
		{"conversations", h.db.PruneConversations, now.Add(-keep(r.Conversations, def.Conversations))},
		{"job_runs", h.db.PruneJobRuns, now.Add(-keep(r.JobRuns, def.JobRuns))},
		{"kv", h.db.PruneKV, now},
		{"parked_conversations", h.db.PruneParked, now.Add(-keep(r.Parked, def.Parked))},
		{"bind_attempts", h.db.PruneBindAttempts, now.Add(-keep(r.BindAttempts, def.BindAttempts))},
		{"template_reports", h.db.PruneTemplateReports, now.Add(-keep(r.Reports, def.Reports))},
		{"sessions", h.db.PruneSessions, now},
		{"callback_nonces", h.db.PruneCallbackNonces, now.Add(-keep(r.Nonces, def.Nonces))},
		// Binding's per-deputy and overall counts look back a day at most.
		{"limit_attempts", h.db.PruneLimits, now.Add(-keep(r.BindAttempts, def.BindAttempts))},
	}
	counts := map[string]int{}
	var errs []error
	for _, s := range steps {
		n, err := s.prune(ctx, s.until)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		counts[s.table] = int(n)
	}
	return counts, errors.Join(errs...)
}
