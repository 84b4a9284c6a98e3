package scheduler

import (
	"context"
	"time"

	"deputybot/core"
	"deputybot/notify"
)

// SeriesJob sends the recurring notices (通知系列) whose schedule ticked
// since their last run; it checks every minute.
func SeriesJob(svc *core.Services, outbox *notify.Outbox) Job {
	const name = "series"
	return Job{Name: name, Schedule: "* * * * *",
		Description: "定期通知系列：按各系列的时间表创建推送活动",
		Run: func(ctx context.Context, now time.Time) (Result, error) {
			c, err := svc.Series.RunDue(ctx, core.SystemActor(name), now, outbox)
			return Result{Counts: c}, err
		}}
}
