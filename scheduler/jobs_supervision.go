package scheduler

import (
	"context"
	"time"

	"deputybot/core"
	"deputybot/storage"
)

// SupervisionJobs are the 督办 jobs: the weekly escalation digest to
// staff, counts per handling unit of suggestions past or near their
// deadline and of the 回头看 list, recorded as the run's counts.
func SupervisionJobs(db *storage.DB, loc *time.Location) []Job {
	return []Job{{Name: core.SupervisionDigestJob, Schedule: "30 8 * * 1",
		Description: "督办周报：各承办单位逾期、临近期限的建议数，回头看和待审批延期件数",
		Run: func(ctx context.Context, now time.Time) (Result, error) {
			sv := core.NewSupervision(db, loc)
			sv.Now = func() time.Time { return now }
			c, err := sv.Digest(ctx)
			return Result{Counts: c}, err
		}}}
}
