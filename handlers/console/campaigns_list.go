package console

import (
	"net/http"
	"net/url"
	"strconv"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// campaignLine is one campaign of the list.
type campaignLine struct {
	ID                    int64
	Title, Kind, Status   string
	StatusLabel, Audience string
	SendAt, CreatedBy     string
	Test, Urgent          bool
	Total                 int
	Counts                []deliveryStateCount
	DeliveredRate         string // 送达率, "—" before anyone could be sent to
	ReadRate              string // 阅读率
}

type campaignsView struct {
	Status    string
	Title     string
	Tests     bool
	Statuses  []option
	Campaigns []campaignLine
	Pager     pager
}

func campaignStatuses() []option {
	out := make([]option, len(model.CampaignStates))
	for i, st := range model.CampaignStates {
		out[i] = option{st, model.CampaignLabel(st)}
	}
	return out
}

// campaignFilterOf reads the list's filters from the query.
func campaignFilterOf(q url.Values) model.CampaignFilter {
	return model.CampaignFilter{Status: oneOf(q.Get("status"), model.CampaignStates...), Title: truncateRunes(plainText(q.Get("q")), 100),
		Tests: q.Get("tests") != ""}
}

func campaignsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	f, pg := campaignFilterOf(q), pageParam(q)
	f.Limit, f.Offset = campaignsPageSize, (pg-1)*campaignsPageSize
	cs, total, err := s.core.Campaigns.List(r.Context(), by, f)
	if err != nil {
		return err
	}
	v := campaignsView{Status: f.Status, Title: f.Title, Tests: f.Tests, Statuses: campaignStatuses(),
		Pager: newPager(total, pg, campaignsPageSize, func(p int) string {
			u := url.Values{"page": {strconv.Itoa(p)}}
			if f.Status != "" {
				u.Set("status", f.Status)
			}
			if f.Title != "" {
				u.Set("q", f.Title)
			}
			if f.Tests {
				u.Set("tests", "1")
			}
			return "/admin/campaigns?" + u.Encode()
		})}
	for _, c := range cs {
		l := campaignLine{ID: c.ID, Title: c.Title, Kind: c.Kind, Status: c.Status,
			StatusLabel: model.CampaignLabel(c.Status), Audience: core.AudienceText(c.Audience), SendAt: s.fmtTime(c.SendAt),
			CreatedBy: c.CreatedBy, Urgent: c.Urgent, Test: core.IsTestTitle(c.Title), Total: c.Total, Counts: deliveryCounts(c.Counts, nil),
			DeliveredRate: "—", ReadRate: "—"}
		if delivered, read, ok := core.DeliveryRates(c.Counts); ok {
			l.DeliveredRate, l.ReadRate = pctText(delivered), pctText(read)
		}
		v.Campaigns = append(v.Campaigns, l)
	}
	s.render(w, r, http.StatusOK, "campaigns", page{Title: "通知推送", Nav: "campaigns", Me: by.Account, Data: v})
	return nil
}

// campaignsExport downloads the list (its filters, every page) as Excel.
func campaignsExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Campaigns.ExportList(r.Context(), by, campaignFilterOf(r.URL.Query()))
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
