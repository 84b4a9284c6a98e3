package console

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// campaignControl pauses or resumes the campaign of the path.
func campaignControl(verb string) handlerFunc {
	return func(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
		id, err := httpkit.PathID(r)
		if err != nil {
			return err
		}
		done := "已恢复。"
		if verb == "pause" {
			_, err = s.core.Campaigns.Pause(r.Context(), by, id, "")
			done = "已暂停。"
		} else {
			_, err = s.core.Campaigns.Resume(r.Context(), by, id)
		}
		if err != nil {
			return err
		}
		s.flash(r, done)
		http.Redirect(w, r, fmt.Sprintf("/admin/campaigns/%d", id), http.StatusSeeOther)
		return nil
	}
}

var (
	campaignPause  = campaignControl("pause")
	campaignResume = campaignControl("resume")
)

// campaignCancelView is the confirmation step of a cancel.
type campaignCancelView struct {
	ID            int64
	Title, Status string
	Waiting, Sent int
	Errors        fieldErrors
}

func (s *server) renderCampaignCancel(w http.ResponseWriter, r *http.Request, by core.Actor, status int, c core.CampaignDetail, errs fieldErrors) error {
	v := campaignCancelView{ID: c.ID, Title: c.Notice.Title, Status: model.CampaignLabel(c.Status), Errors: errs,
		Waiting: c.Counts[model.DeliveryQueued] + c.Counts[model.DeliveryRetry] + c.Counts[model.DeliveryHeld],
		Sent:    core.SentCount(c.Counts) + c.Counts[model.DeliverySending]}
	s.render(w, r, status, "campaign_cancel", page{Title: "取消发送", Nav: "campaigns", Me: by.Account, Data: v})
	return nil
}

// campaignCancelForm asks to confirm a cancel, with what it drops.
func campaignCancelForm(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	c, err := s.campaignOfPath(r, by)
	if err != nil {
		return err
	}
	if !campaignCanCancel(c.Status) {
		return core.Conflict("该通知当前“%s”，不能取消。", model.CampaignLabel(c.Status))
	}
	return s.renderCampaignCancel(w, r, by, http.StatusOK, c, nil)
}

// campaignCancel cancels for good once the confirmation box is ticked.
func campaignCancel(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	c, err := s.campaignOfPath(r, by)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	if r.PostFormValue("confirm") == "" {
		return s.renderCampaignCancel(w, r, by, http.StatusUnprocessableEntity, c, fieldErrors{"confirm": "请勾选确认：取消后不能恢复"})
	}
	if _, err := s.core.Campaigns.Cancel(r.Context(), by, c.ID); err != nil {
		return err
	}
	s.flash(r, "已取消发送，尚未发出的推送不再发送。")
	http.Redirect(w, r, fmt.Sprintf("/admin/campaigns/%d", c.ID), http.StatusSeeOther)
	return nil
}
