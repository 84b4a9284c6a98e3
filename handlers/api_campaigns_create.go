package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() { apiRoute(http.MethodPost, "/api/v1/campaigns", editors, apiCampaignCreate) }

// apiCampaignCreate stores a campaign: sent now, at send_at, or with
// test, now to one deputy and marked as a test.
func apiCampaignCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var body apiCampaignInput
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	in, a, errs := body.input(s.d.Loc)
	if len(errs) > 0 {
		return errs
	}
	c, n, err := s.createCampaign(r.Context(), me, in, a, body.Test)
	if err != nil {
		return err
	}
	action, what := "campaign.create", fmt.Sprintf("通知“%s”（%s），对象：%s，发送时间 %s", n.Title, noticeKindLabelOf(n.Kind),
		campaignAudienceSummary(a), s.fmtTime(c.SendAt))
	if body.Test {
		action, what = "campaign.test", fmt.Sprintf("测试通知“%s”发给代表 #%d", n.Title, a.DeputyIDs[0])
	}
	s.audit(r, me, action, campaignObject(c.ID), what)
	w.Header().Set("Location", fmt.Sprintf("/api/v1/campaigns/%d", c.ID))
	writeJSON(w, http.StatusCreated, apiCampaignOf(c, nil).withNotice(n))
	return nil
}
