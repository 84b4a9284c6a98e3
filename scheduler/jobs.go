package scheduler

import (
	"context"
	"time"

	"deputybot/core"
	"deputybot/notify"
)

// DeputyJobs are the jobs that push to deputies: due campaigns, meeting
// and RSVP reminders, rating reminders, closing surveys and solicitations,
// (the suggestion deadline watch is SupervisionJobs'). Each acts as
// core.SystemActor of its name.
func DeputyJobs(svc *core.Services, outbox *notify.Outbox) []Job {
	rem := svc.Reminders
	counts := func(name string, f func(context.Context, core.Actor, time.Time) (map[string]int, error)) func(context.Context, time.Time) (Result, error) {
		return func(ctx context.Context, now time.Time) (Result, error) {
			c, err := f(ctx, core.SystemActor(name), now)
			return Result{Counts: c}, err
		}
	}
	jobs := []Job{
		{Name: "meeting-reminders", Schedule: "0 9 * * *", Run: counts("meeting-reminders", rem.Meetings),
			Description: "会议活动提醒：开始前 3 天、1 天提醒参加者；回执截止前每天提醒未回复者"},
		{Name: "rating-reminders", Schedule: "30 9 * * *", Run: counts("rating-reminders", rem.Ratings),
			Description: "满意度测评提醒：答复满 3 天未测评的代表，最多提醒 2 次"},
		{Name: "closing-reminders", Schedule: "0 10 * * *", Run: counts("closing-reminders", rem.Closing),
			Description: "问卷和法规草案征求意见截止前 2 天提醒未回复的代表"},
		{Name: "course-reminders", Schedule: "30 10 * * *",
			Description: "学习班截止前提醒：截止前 N 天（默认 3 天）提醒每位未完成的学员一次",
			Run: func(ctx context.Context, _ time.Time) (Result, error) {
				n, err := svc.Courses.RunReminders(ctx, core.SystemActor("course-reminders"))
				return Result{Counts: map[string]int{"reminded": n}}, err
			}},
	}
	if outbox != nil {
		jobs = append(jobs, Job{Name: "study-series", Schedule: "0 9 * * 1",
			Description: "学习材料系列：每周一 09:00 向每位代表推送一份尚未推送给他、也未学过的学习材料",
			Run: func(ctx context.Context, now time.Time) (Result, error) {
				n, err := svc.Materials.SendSeries(ctx, core.SystemActor("study-series"), now)
				return Result{Counts: map[string]int{"deputies": n}}, err
			}})
		jobs = append(jobs, Job{Name: "due-campaigns", Schedule: "* * * * *",
			Description: "到时的推送活动：展开收件人（发送由发送进程负责）",
			Run: func(ctx context.Context, _ time.Time) (Result, error) {
				n, err := outbox.ExpandDue(ctx)
				return Result{Counts: map[string]int{"recipients": n}}, err
			}})
	}
	return jobs
}
