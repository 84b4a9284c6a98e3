package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

func init() { consoleRoute(http.MethodGet, "/admin/campaigns/{id}", viewers, campaignShow) }

// campaignView is the progress page of a campaign.
type campaignView struct {
	ID                     int64
	Notice                 model.Notice
	Test                   bool
	Status, StatusLabel    string
	Reason                 string
	Audience               string
	SendAt, CreatedAt      string
	ExpandedAt, FinishedAt string
	Counts                 []deliveryStateCount
	Total                  int
	Filter                 string
	FilterLabel            string
	Deliveries             []campaignDeliveryLine
	Pager                  pager
	CanPause, CanResume    bool
	CanCancel, Refresh     bool
	AllLink                string
}

// campaignDeliveryLine is one recipient's delivery as the page shows it.
type campaignDeliveryLine struct {
	DeputyID                    int64
	Name, Delegation            string
	Status, Label, Reason       string
	Channel                     string
	SentAt, DeliveredAt, ReadAt string
	Attempts, Reclaims          int
}

func (s *server) campaignDeliveryLineOf(d model.CampaignDelivery) campaignDeliveryLine {
	return campaignDeliveryLine{DeputyID: d.DeputyID, Name: d.DeputyName, Delegation: d.Delegation, Status: d.Status,
		Label: orDefault(model.DeliveryLabel(d.Status), d.Status), Reason: d.Reason, Channel: deliveryChannelLabel(d.Channel),
		SentAt: s.fmtTime(campaignTime(d.SentAt)), DeliveredAt: s.fmtTime(campaignTime(d.DeliveredAt)),
		ReadAt: s.fmtTime(campaignTime(d.ReadAt)), Attempts: d.Attempts, Reclaims: d.Reclaims}
}

func deliveryChannelLabel(ch string) string {
	switch ch {
	case "template":
		return "模板消息"
	case "custom":
		return "客服消息"
	}
	return ch
}

func campaignShow(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	c, n, err := s.campaignOfPath(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	counts, err := s.d.DB.CampaignCounts(ctx, c.ID)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	filter := oneOf(q.Get("status"), model.DeliveryStates...)
	pg := campaignPageParam(q)
	base := fmt.Sprintf("/admin/campaigns/%d", c.ID)
	link := func(status string, p int) string {
		u := url.Values{}
		if status != "" {
			u.Set("status", status)
		}
		if p > 1 {
			u.Set("page", strconv.Itoa(p))
		}
		if len(u) == 0 {
			return base
		}
		return base + "?" + u.Encode()
	}
	dls, total, err := s.d.DB.ListCampaignDeliveries(ctx, model.CampaignDeliveryFilter{CampaignID: c.ID, Status: filter,
		Limit: campaignPageSize, Offset: (pg - 1) * campaignPageSize})
	if err != nil {
		return err
	}
	v := campaignView{ID: c.ID, Notice: n, Test: isTestNotice(n), Status: c.Status, StatusLabel: campaignStatusLabel(c.Status),
		Reason: c.Reason, Audience: campaignAudienceSummary(c.Audience), SendAt: s.fmtTime(c.SendAt), CreatedAt: s.fmtTime(c.CreatedAt),
		ExpandedAt: s.fmtTime(campaignTime(c.ExpandedAt)), FinishedAt: s.fmtTime(campaignTime(c.FinishedAt)),
		Counts: deliveryCountsInOrder(counts, func(st string) string { return link(st, 1) }),
		Filter: filter, FilterLabel: model.DeliveryLabel(filter), AllLink: base,
		Pager: newPager(total, pg, campaignPageSize, func(p int) string { return link(filter, p) })}
	for _, k := range counts {
		v.Total += k
	}
	for _, d := range dls {
		v.Deliveries = append(v.Deliveries, s.campaignDeliveryLineOf(d))
	}
	if slices.Contains(editors, me.Role) {
		v.CanPause, v.CanResume, v.CanCancel = campaignCanPause(c.Status), campaignCanResume(c.Status), campaignCanCancel(c.Status)
	}
	// Refresh while deliveries are moving: being written or sent.
	v.Refresh = c.Status == model.CampaignSending || (c.Status == model.CampaignScheduled && !c.SendAt.After(s.d.Now()))
	s.render(w, r, http.StatusOK, "campaign", page{Title: n.Title, Nav: "campaigns", Me: me, Data: v})
	return nil
}
