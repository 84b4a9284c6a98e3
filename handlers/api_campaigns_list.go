package handlers

import (
	"deputybot/model"
	"net/http"
	"strings"
)

func init() { apiRoute(http.MethodGet, "/api/v1/campaigns", viewers, apiCampaignsList) }

type apiCampaignPage struct {
	Total     int           `json:"total"`
	Page      int           `json:"page"`
	PerPage   int           `json:"per_page"`
	Campaigns []apiCampaign `json:"campaigns"`
}

// apiCampaignsList pages through campaigns, newest first; status filters.
func apiCampaignsList(s *server, w http.ResponseWriter, r *http.Request, _ model.Account) error {
	q := r.URL.Query()
	per, err := campaignPerPage(r, campaignPageSize, 200)
	if err != nil {
		return err
	}
	status := q.Get("status")
	if status != "" && oneOf(status, campaignStatusOrder...) == "" {
		return badRequest("status 应为 scheduled、sending、paused、done 或 cancelled")
	}
	pg := campaignPageParam(q)
	cs, total, err := s.d.DB.ListCampaigns(r.Context(), model.CampaignFilter{Status: status, Limit: per, Offset: (pg - 1) * per})
	if err != nil {
		return err
	}
	out := apiCampaignPage{Total: total, Page: pg, PerPage: per, Campaigns: []apiCampaign{}}
	for _, c := range cs {
		a := apiCampaignOf(c.Campaign, c.Counts)
		a.Kind, a.KindLabel, a.Title, a.Urgent, a.CreatedBy = c.Kind, noticeKindLabelOf(c.Kind), c.Title, c.Urgent, c.CreatedBy
		a.Test = strings.HasPrefix(c.Title, campaignTestTitle)
		out.Campaigns = append(out.Campaigns, a)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
