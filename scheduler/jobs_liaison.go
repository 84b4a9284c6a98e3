package scheduler

import (
	"context"
	"time"

	"deputybot/core"
)

// LiaisonJobs are the 双联系 jobs: each Monday at 08:30 every committee
// member bound on WeChat (through their deputy record or a member code)
// gets their weekly digest through the outbox; the others read it in the
// console. One delivery per member and week, so a re-run sends nothing new.
func LiaisonJobs(svc *core.Services) []Job {
	return []Job{{Name: core.LiaisonDigestJob, Schedule: "30 8 * * 1",
		Description: "双联系周报：向已绑定微信的常委会组成人员推送其联系代表的待回复邀请、未评价答复、新意见建议和今年未联系名单",
		Run: func(ctx context.Context, now time.Time) (Result, error) {
			run, err := svc.Liaison.SendDigests(ctx, core.SystemActor(core.LiaisonDigestJob), now)
			return Result{Counts: run.Counts()}, err
		}}}
}
