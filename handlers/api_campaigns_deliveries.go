package handlers

import (
	"deputybot/model"
	"net/http"
	"strconv"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/campaigns/{id}/deliveries", viewers, apiCampaignDeliveries)
	apiRoute(http.MethodGet, "/api/v1/campaigns/{id}/deliveries/export", editors, apiCampaignDeliveriesExport)
}

type apiDeliveryPage struct {
	Total      *int          `json:"total,omitempty"` // left out when paging by after_id
	Page       int           `json:"page,omitempty"`
	PerPage    int           `json:"per_page"`
	NextAfter  int64         `json:"next_after_id,omitempty"`
	Deliveries []apiDelivery `json:"deliveries"`
}

// apiCampaignDeliveries pages through a campaign's deliveries by id:
// page/per_page, or after_id to read them all in order.
func apiCampaignDeliveries(s *server, w http.ResponseWriter, r *http.Request, _ model.Account) error {
	c, _, err := s.campaignOfPath(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	per, err := campaignPerPage(r, campaignPageSize, 1000)
	if err != nil {
		return err
	}
	status := q.Get("status")
	if status != "" && oneOf(status, model.DeliveryStates...) == "" {
		return badRequest("status 不是已知的推送状态")
	}
	f := model.CampaignDeliveryFilter{CampaignID: c.ID, Status: status, Limit: per}
	pg := 0
	if v := q.Get("after_id"); v != "" {
		if f.AfterID, err = strconv.ParseInt(v, 10, 64); err != nil || f.AfterID < 0 {
			return badRequest("after_id 应为非负整数")
		}
	} else {
		pg = campaignPageParam(q)
		f.Offset = (pg - 1) * per
	}
	dls, total, err := s.d.DB.ListCampaignDeliveries(r.Context(), f)
	if err != nil {
		return err
	}
	out := apiDeliveryPage{Page: pg, PerPage: per, Deliveries: []apiDelivery{}}
	if q.Get("after_id") == "" {
		out.Total = &total
	}
	for _, d := range dls {
		out.Deliveries = append(out.Deliveries, apiDeliveryOf(d))
	}
	if len(dls) == per {
		out.NextAfter = dls[len(dls)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func apiCampaignDeliveriesExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.exportCampaignDeliveries(w, r, me)
}
