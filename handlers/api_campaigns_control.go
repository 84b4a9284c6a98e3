package handlers

import (
	"deputybot/model"
	"net/http"
)

func init() {
	for _, verb := range []string{"pause", "resume", "cancel"} {
		apiRoute(http.MethodPost, "/api/v1/campaigns/{id}/"+verb, editors, apiCampaignAction(verb))
	}
}

// apiCampaignAction pauses, resumes or cancels a campaign and answers
// with it; a campaign in the wrong state is a 409.
func apiCampaignAction(verb string) handlerFunc {
	return func(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
		c, n, err := s.campaignOfPath(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		if err := s.controlCampaign(r, me, c, n, verb); err != nil {
			return err
		}
		if c, err = s.d.DB.GetCampaign(r.Context(), c.ID); err != nil {
			return err
		}
		counts, err := s.d.DB.CampaignCounts(r.Context(), c.ID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, apiCampaignOf(c, counts).withNotice(n))
		return nil
	}
}
