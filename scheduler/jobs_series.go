package scheduler

import (
	"context"
	"time"

	"deputybot/core"
	"deputybot/notify"
	"deputybot/storage"
)

// SeriesJob sends the recurring notices (通知系列) whose schedule ticked
// since their last run; it checks every minute.
func SeriesJob(db *storage.DB, outbox *notify.Outbox, loc *time.Location) Job {
	ns := core.NewNoticeSeries(db, loc)
	return Job{Name: "series", Schedule: "* * * * *",
		Description: "定期通知系列：按各系列的时间表创建推送活动",
		Run: func(ctx context.Context, now time.Time) (Result, error) {
			c, err := ns.RunDue(ctx, now, outbox)
			return Result{Counts: c}, err
		}}
}
