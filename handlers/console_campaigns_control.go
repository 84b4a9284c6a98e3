package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"deputybot/model"
	"deputybot/notify"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/campaigns/{id}/pause", editors, campaignPause)
	consoleRoute(http.MethodPost, "/admin/campaigns/{id}/resume", editors, campaignResume)
	consoleRoute(http.MethodGet, "/admin/campaigns/{id}/cancel", editors, campaignCancelForm)
	consoleRoute(http.MethodPost, "/admin/campaigns/{id}/cancel", editors, campaignCancel)
}

// controlCampaign runs one of pause, resume, cancel on the campaign of
// the path and records it; a campaign in the wrong state is a 409.
func (s *server) controlCampaign(r *http.Request, me model.Account, c model.Campaign, n model.Notice, verb string) error {
	o, ctx := s.campaignOutbox(), r.Context()
	var err error
	switch verb {
	case "pause":
		err = o.Pause(ctx, c.ID, "由 "+me.DisplayName()+" 暂停")
	case "resume":
		err = o.Resume(ctx, c.ID)
	case "cancel":
		err = o.Cancel(ctx, c.ID)
	}
	if errors.Is(err, notify.ErrBadState) {
		return campaignBadState(c, campaignVerbs[verb])
	} else if err != nil {
		return err
	}
	s.audit(r, me, "campaign."+verb, campaignObject(c.ID), fmt.Sprintf("%s通知“%s”（原状态：%s）", campaignVerbs[verb], n.Title, campaignStatusLabel(c.Status)))
	return nil
}

var campaignVerbs = map[string]string{"pause": "暂停", "resume": "恢复", "cancel": "取消"}

func campaignAction(verb string) handlerFunc {
	return func(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
		c, n, err := s.campaignOfPath(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		if err := s.controlCampaign(r, me, c, n, verb); err != nil {
			return err
		}
		s.flash(r, "已"+campaignVerbs[verb]+"。")
		http.Redirect(w, r, fmt.Sprintf("/admin/campaigns/%d", c.ID), http.StatusSeeOther)
		return nil
	}
}

var (
	campaignPause  = campaignAction("pause")
	campaignResume = campaignAction("resume")
)

// campaignCancelView is the confirmation step of a cancel.
type campaignCancelView struct {
	ID            int64
	Title, Status string
	Waiting, Sent int
	Errors        fieldErrors
}

func (s *server) renderCampaignCancel(w http.ResponseWriter, r *http.Request, me model.Account, status int, c model.Campaign, n model.Notice, errs fieldErrors) error {
	counts, err := s.d.DB.CampaignCounts(r.Context(), c.ID)
	if err != nil {
		return err
	}
	v := campaignCancelView{ID: c.ID, Title: n.Title, Status: campaignStatusLabel(c.Status), Errors: errs,
		Waiting: counts[model.DeliveryQueued] + counts[model.DeliveryRetry] + counts[model.DeliveryHeld],
		Sent:    counts[model.DeliverySent] + counts[model.DeliveryDelivered] + counts[model.DeliveryRead] + counts[model.DeliverySending]}
	s.render(w, r, status, "campaign_cancel", page{Title: "取消发送", Nav: "campaigns", Me: me, Data: v})
	return nil
}

func campaignCancelForm(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	c, n, err := s.campaignOfPath(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !campaignCanCancel(c.Status) {
		return campaignBadState(c, "取消")
	}
	return s.renderCampaignCancel(w, r, me, http.StatusOK, c, n, nil)
}

// campaignCancel cancels for good once the confirmation box is ticked.
func campaignCancel(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	c, n, err := s.campaignOfPath(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	if r.PostFormValue("confirm") == "" {
		return s.renderCampaignCancel(w, r, me, http.StatusUnprocessableEntity, c, n, fieldErrors{"confirm": "请勾选确认：取消后不能恢复"})
	}
	if err := s.controlCampaign(r, me, c, n, "cancel"); err != nil {
		return err
	}
	s.flash(r, "已取消发送，尚未发出的推送不再发送。")
	http.Redirect(w, r, fmt.Sprintf("/admin/campaigns/%d", c.ID), http.StatusSeeOther)
	return nil
}
