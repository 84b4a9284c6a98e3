package console

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

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
	Progress               core.CampaignProgress
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

func (s *server) nullTime(t sql.NullTime) string {
	if !t.Valid {
		return ""
	}
	return s.fmtTime(t.Time)
}

func (s *server) campaignDeliveryLineOf(d model.CampaignDelivery) campaignDeliveryLine {
	return campaignDeliveryLine{DeputyID: d.DeputyID, Name: d.DeputyName, Delegation: d.Delegation, Status: d.Status,
		Label: core.DeliveryStatusLabel(d.Status), Reason: d.Reason, Channel: core.ChannelLabel(d.Channel),
		SentAt: s.nullTime(d.SentAt), DeliveredAt: s.nullTime(d.DeliveredAt), ReadAt: s.nullTime(d.ReadAt),
		Attempts: d.Attempts, Reclaims: d.Reclaims}
}

// campaignOfPath loads the campaign the path names.
func (s *server) campaignOfPath(r *http.Request, by core.Actor) (core.CampaignDetail, error) {
	id, err := httpkit.PathID(r)
	if err != nil {
		return core.CampaignDetail{}, err
	}
	return s.core.Campaigns.Get(r.Context(), by, id)
}

func campaignShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	c, err := s.campaignOfPath(r, by)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	filter := oneOf(q.Get("status"), model.DeliveryStates...)
	pg := pageParam(q)
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
	dls, total, err := s.core.Campaigns.DeliveriesOf(r.Context(), by, c, model.CampaignDeliveryFilter{Status: filter,
		Limit: campaignsPageSize, Offset: (pg - 1) * campaignsPageSize})
	if err != nil {
		return err
	}
	v := campaignView{ID: c.ID, Notice: c.Notice, Test: c.Test(), Status: c.Status, StatusLabel: model.CampaignLabel(c.Status),
		Reason: c.Reason, Audience: core.AudienceText(c.Audience), SendAt: s.fmtTime(c.SendAt), CreatedAt: s.fmtTime(c.CreatedAt),
		ExpandedAt: s.nullTime(c.ExpandedAt), FinishedAt: s.nullTime(c.FinishedAt),
		Counts: deliveryCounts(c.Counts, func(st string) string { return link(st, 1) }), Total: c.Total,
		Filter: filter, FilterLabel: model.DeliveryLabel(filter), AllLink: base,
		Pager: newPager(total, pg, campaignsPageSize, func(p int) string { return link(filter, p) })}
	for _, d := range dls {
		v.Deliveries = append(v.Deliveries, s.campaignDeliveryLineOf(d))
	}
	if v.Progress, err = s.core.Campaigns.ProgressOf(r.Context(), by, c); err != nil {
		return err
	}
	if slices.Contains(core.Editors, by.Role()) {
		v.CanPause, v.CanResume, v.CanCancel = campaignCanPause(c.Status), campaignCanResume(c.Status), campaignCanCancel(c.Status)
	}
	// Follow the progress while deliveries are moving: being written or sent.
	v.Refresh = v.Progress.Moving
	s.render(w, r, http.StatusOK, "campaign", page{Title: c.Notice.Title, Nav: "campaigns", Me: by.Account, Data: v})
	return nil
}

// campaignExport downloads the campaign's deliveries (?status=) as Excel.
func campaignExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	f, err := s.core.Campaigns.ExportDeliveries(r.Context(), by, id, oneOf(r.URL.Query().Get("status"), model.DeliveryStates...))
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}

// campaignProgress answers the campaign page's live progress with JSON.
func campaignProgress(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	p, err := s.core.Campaigns.Progress(r.Context(), by, id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	httpkit.WriteJSON(w, http.StatusOK, p)
	return nil
}
