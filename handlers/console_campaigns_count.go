package handlers

import (
	"deputybot/model"
	"net/http"
	"strings"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/audience/count", editors, campaignAudienceCountLive)
}

// campaignAudienceCountLive answers the compose and invite pages' live count with
// JSON: the audience builder's fields in the query.
func campaignAudienceCountLive(s *server, w http.ResponseWriter, r *http.Request, _ model.Account) error {
	a, errs := parseCampaignAudienceForm(r.URL.Query()).audience()
	aerrs, err := s.checkCampaignAudience(r.Context(), a)
	if err != nil {
		return err
	}
	if errs = append(errs, aerrs...); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Msg
		}
		writeJSON(w, http.StatusUnprocessableEntity, apiErrorBody{Error: strings.Join(msgs, "；")})
		return nil
	}
	c, err := s.countCampaignAudience(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
