package scheduler

import (
	"context"
	"time"

	"deputybot/core"
)

// SupervisionJobs are the 督办 jobs: the weekly escalation digest to
// staff, counts per handling unit of suggestions past or near their
// deadline and of the 回头看 list (as of the services' clock), recorded as
// the run's counts and pushed to bound staff; and the daily deadline
// notices to handling units.
func SupervisionJobs(svc *core.Services) []Job {
	return []Job{{Name: core.SupervisionDigestJob, Schedule: "30 8 * * 1",
		Description: "督办周报：各承办单位逾期、临近期限的建议数，回头看和待审批延期件数",
		Run: func(ctx context.Context, _ time.Time) (Result, error) {
			c, err := svc.Supervision.Digest(ctx, core.SystemActor(core.SupervisionDigestJob))
			return Result{Counts: c}, err
		}}, {Name: core.UnitDeadlinesJob, Schedule: "0 9 * * *",
		Description: "承办单位期限提醒：办理期限 7 天内和已逾期的建议，告知已绑定微信的承办单位人员（各一次）",
		Run: func(ctx context.Context, _ time.Time) (Result, error) {
			run, err := svc.Supervision.TellDeadlines(ctx, core.SystemActor(core.UnitDeadlinesJob))
			return Result{Counts: run.Counts()}, err
		}}}
}
