package handlers

import (
	"deputybot/model"
	"net/http"
)

func init() { apiRoute(http.MethodGet, "/api/v1/campaigns/{id}", viewers, apiCampaignGet) }

func apiCampaignGet(s *server, w http.ResponseWriter, r *http.Request, _ model.Account) error {
	c, n, err := s.campaignOfPath(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	counts, err := s.d.DB.CampaignCounts(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiCampaignOf(c, counts).withNotice(n))
	return nil
}
