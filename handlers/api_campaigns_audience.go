package handlers

import (
	"deputybot/model"
	"net/http"
)

func init() { apiRoute(http.MethodPost, "/api/v1/audience/count", editors, apiAudienceCount) }

// apiAudienceCount counts an audience before sending to it.
func apiAudienceCount(s *server, w http.ResponseWriter, r *http.Request, _ model.Account) error {
	var a model.Audience
	if err := decodeJSON(w, r, &a); err != nil {
		return err
	}
	errs, err := s.checkCampaignAudience(r.Context(), a)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return errs
	}
	c, err := s.countCampaignAudience(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
