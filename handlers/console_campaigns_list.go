package handlers

import (
	"deputybot/model"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

func init() { consoleRoute(http.MethodGet, "/admin/campaigns", viewers, campaignsList) }

// campaignPageSize is the length of a page of campaigns and of deliveries.
const campaignPageSize = 50

// campaignLine is one campaign of the list.
type campaignLine struct {
	ID                    int64
	Title, Kind, Status   string
	StatusLabel, Audience string
	SendAt, CreatedBy     string
	Test, Urgent          bool
	Total                 int
	Counts                []deliveryStateCount
}

// deliveryStateCount is the number of deliveries in one state.
type deliveryStateCount struct {
	State, Label string
	N            int
	Link         string
}

// deliveryCountsInOrder lists the non-zero counts in the dashboard's order.
func deliveryCountsInOrder(counts map[string]int, link func(state string) string) []deliveryStateCount {
	var out []deliveryStateCount
	for _, st := range model.DeliveryStates {
		if n := counts[st]; n > 0 {
			sc := deliveryStateCount{State: st, Label: model.DeliveryLabel(st), N: n}
			if link != nil {
				sc.Link = link(st)
			}
			out = append(out, sc)
		}
	}
	return out
}

type campaignsView struct {
	Status    string
	Statuses  []campaignOption
	Campaigns []campaignLine
	Pager     pager
}

func campaignStatuses() []campaignOption {
	out := make([]campaignOption, len(campaignStatusOrder))
	for i, st := range campaignStatusOrder {
		out[i] = campaignOption{st, campaignStatusLabels[st]}
	}
	return out
}

// campaignPageParam reads the page number of a list.
func campaignPageParam(v url.Values) int {
	p, _ := strconv.Atoi(v.Get("page"))
	return min(max(p, 1), 100000)
}

func campaignsList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	q := r.URL.Query()
	status := oneOf(q.Get("status"), campaignStatusOrder...)
	pg := campaignPageParam(q)
	cs, total, err := s.d.DB.ListCampaigns(r.Context(), model.CampaignFilter{Status: status,
		Limit: campaignPageSize, Offset: (pg - 1) * campaignPageSize})
	if err != nil {
		return err
	}
	v := campaignsView{Status: status, Statuses: campaignStatuses(),
		Pager: newPager(total, pg, campaignPageSize, func(p int) string {
			u := url.Values{"page": {strconv.Itoa(p)}}
			if status != "" {
				u.Set("status", status)
			}
			return "/admin/campaigns?" + u.Encode()
		})}
	for _, c := range cs {
		v.Campaigns = append(v.Campaigns, campaignLine{ID: c.ID, Title: c.Title, Kind: c.Kind, Status: c.Status,
			StatusLabel: campaignStatusLabel(c.Status), Audience: campaignAudienceSummary(c.Audience), SendAt: s.fmtTime(c.SendAt),
			CreatedBy: c.CreatedBy, Urgent: c.Urgent, Test: strings.HasPrefix(c.Title, campaignTestTitle), Total: c.Total, Counts: deliveryCountsInOrder(c.Counts, nil)})
	}
	s.render(w, r, http.StatusOK, "campaigns", page{Title: "通知推送", Nav: "campaigns", Me: me, Data: v})
	return nil
}
