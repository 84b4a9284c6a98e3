package core

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"deputybot/model"
)

// Campaigns controls campaigns once created: pause, resume and cancel,
// the same door for the console, the API and the command line. The
// outbox's dispatchers see the new status on their next claim.
type Campaigns struct {
	*env
	templates atomic.Pointer[TemplateLookup]
}

// The verbs of a control, as the audit entry and a refusal word them.
var campaignVerbs = map[string]string{"pause": "暂停", "resume": "恢复", "cancel": "取消"}

// Pause holds a scheduled or sending campaign: its unsent deliveries wait
// until Resume. reason is shown with the status ("由 <who> 暂停" when empty).
func (s *Campaigns) Pause(ctx context.Context, by Actor, id int64, reason string) (model.Campaign, error) {
	if reason == "" {
		reason = "由 " + by.Name() + " 暂停"
	}
	return s.control(ctx, by, id, "pause", func(model.Campaign) ([]string, string, string) {
		return []string{model.CampaignScheduled, model.CampaignSending}, model.CampaignPaused, reason
	})
}

// Resume releases a paused campaign: back to sending, or to scheduled
// when its audience is not written yet and its time has not come.
func (s *Campaigns) Resume(ctx context.Context, by Actor, id int64) (model.Campaign, error) {
	return s.control(ctx, by, id, "resume", func(c model.Campaign) ([]string, string, string) {
		to := model.CampaignSending
		if !c.ExpandedAt.Valid && c.SendAt.After(s.now()) {
			to = model.CampaignScheduled
		}
		return []string{model.CampaignPaused}, to, ""
	})
}

// Cancel stops a scheduled, sending or paused campaign for good: its
// unsent deliveries are dropped; those sent stay sent.
func (s *Campaigns) Cancel(ctx context.Context, by Actor, id int64) (model.Campaign, error) {
	return s.control(ctx, by, id, "cancel", func(model.Campaign) ([]string, string, string) {
		return []string{model.CampaignScheduled, model.CampaignSending, model.CampaignPaused}, model.CampaignCancelled, "已取消"
	})
}

// control moves campaign id from one of the statuses plan allows to its
// target and audits it, in one transaction; a campaign in another status
// is a Conflict naming its status.
func (s *Campaigns) control(ctx context.Context, by Actor, id int64, verb string,
	plan func(model.Campaign) (from []string, to, reason string)) (model.Campaign, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Campaign{}, err
	}
	var out model.Campaign
	err := s.tx(ctx, func(ctx context.Context) error {
		c, err := s.db.GetCampaign(ctx, id)
		if errors.Is(err, model.ErrNotFound) {
			return NotFound("通知 %d 不存在", id)
		}
		if err != nil {
			return err
		}
		n, err := s.db.GetNotice(ctx, c.NoticeID)
		if err != nil {
			return err
		}
		from, to, reason := plan(c)
		ok, err := s.db.SetCampaignStatus(ctx, id, from, to, reason)
		if err != nil {
			return err
		}
		if !ok {
			return Conflict("该通知当前“%s”，不能%s。", model.CampaignLabel(c.Status), campaignVerbs[verb])
		}
		if err := s.audit(ctx, by, "campaign."+verb, fmt.Sprintf("campaign/%d", id),
			fmt.Sprintf("%s通知“%s”（原状态：%s）", campaignVerbs[verb], n.Title, model.CampaignLabel(c.Status))); err != nil {
			return err
		}
		out, err = s.db.GetCampaign(ctx, id)
		return err
	})
	return out, err
}
