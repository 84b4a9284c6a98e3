package api

import (
	"database/sql"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// campaign is a campaign as the API shows it: its notice, audience and
// delivery counts by status.
type campaign struct {
	ID              int64             `json:"id"`
	Status          string            `json:"status"`
	StatusLabel     string            `json:"status_label"`
	Reason          string            `json:"reason"`
	SendAt          time.Time         `json:"send_at"`
	CreatedAt       time.Time         `json:"created_at"`
	ExpandedAt      *time.Time        `json:"expanded_at"`
	FinishedAt      *time.Time        `json:"finished_at"`
	NoticeID        int64             `json:"notice_id"`
	Kind            string            `json:"kind"`
	KindLabel       string            `json:"kind_label"`
	Title           string            `json:"title"`
	Body            *string           `json:"body,omitempty"`
	Link            string            `json:"link,omitempty"`
	Urgent          bool              `json:"urgent"`
	Fields          map[string]string `json:"fields,omitempty"`
	CreatedBy       string            `json:"created_by"`
	Test            bool              `json:"test"`
	Audience        model.Audience    `json:"audience"`
	AudienceSummary string            `json:"audience_summary"`
	Counts          map[string]int    `json:"counts"`
	Total           int               `json:"total"`
}

func nullTimePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func campaignBase(c model.Campaign, counts map[string]int) campaign {
	if counts == nil {
		counts = map[string]int{}
	}
	out := campaign{ID: c.ID, Status: c.Status, StatusLabel: model.CampaignLabel(c.Status), Reason: c.Reason,
		SendAt: c.SendAt.UTC(), CreatedAt: c.CreatedAt.UTC(), ExpandedAt: nullTimePtr(c.ExpandedAt),
		FinishedAt: nullTimePtr(c.FinishedAt), NoticeID: c.NoticeID, Audience: c.Audience,
		AudienceSummary: core.AudienceText(c.Audience), Counts: counts}
	for _, n := range counts {
		out.Total += n
	}
	return out
}

// campaignOf is a campaign with its notice's content.
func campaignOf(d core.CampaignDetail) campaign {
	a := campaignBase(d.Campaign, d.Counts)
	n := d.Notice
	a.Kind, a.KindLabel, a.Title, a.Link, a.Urgent, a.CreatedBy = n.Kind, orDefault(model.KindLabels[n.Kind], n.Kind), n.Title, n.Link, n.Urgent, n.CreatedBy
	a.Test = d.Test()
	body := n.Body
	a.Body = &body
	a.Fields = map[string]string{}
	for k, v := range n.Fields {
		if !strings.HasPrefix(k, "_") {
			a.Fields[k] = v
		}
	}
	return a
}

// campaignInput is the body of POST /api/v1/campaigns.
type campaignInput struct {
	Kind     string            `json:"kind"`
	Title    string            `json:"title"`
	Body     string            `json:"body"`
	Link     string            `json:"link"`
	Urgent   bool              `json:"urgent"`
	Fields   map[string]string `json:"fields"`
	Audience *model.Audience   `json:"audience"`
	SendAt   string            `json:"send_at"` // RFC 3339, or "2006-01-02 15:04" local; empty: now
	Test     bool              `json:"test"`    // send now to the one deputy in audience.deputy_ids, marked as a test
	TestTo   string            `json:"test_to"` // with test, "me": to the token's account's own WeChat instead
}

func (in campaignInput) input() core.CampaignInput {
	out := core.CampaignInput{Kind: in.Kind, Title: in.Title, Body: in.Body, Link: in.Link, Urgent: in.Urgent,
		Fields: in.Fields, SendAt: in.SendAt}
	if in.Audience != nil {
		out.Audience = *in.Audience
	}
	return out
}

// delivery is one recipient's delivery of a campaign.
type delivery struct {
	ID          int64      `json:"id"`
	DeputyID    int64      `json:"deputy_id"`
	DeputyName  string     `json:"deputy_name"`
	Delegation  string     `json:"delegation"`
	Status      string     `json:"status"`
	StatusLabel string     `json:"status_label"`
	Reason      string     `json:"reason"`
	Channel     string     `json:"channel"`
	ErrCode     int        `json:"errcode,omitempty"`
	Attempts    int        `json:"attempts"`
	Reclaims    int        `json:"reclaims"`
	CreatedAt   time.Time  `json:"created_at"`
	SentAt      *time.Time `json:"sent_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
	ReadAt      *time.Time `json:"read_at"`
	// Held says why a waiting delivery has not gone (quiet hours, the
	// day's quota, a retry) and ExpectedAt when it should; both absent
	// when nothing holds it.
	Held       string     `json:"held,omitempty"`
	ExpectedAt *time.Time `json:"expected_at,omitempty"`
}

func deliveryOf(d model.CampaignDelivery) delivery {
	var expected *time.Time
	if d.Hold.Reason != "" {
		t := d.Hold.Until.UTC()
		expected = &t
	}
	return delivery{Held: d.Hold.Reason, ExpectedAt: expected, ID: d.ID, DeputyID: d.DeputyID, DeputyName: d.DeputyName, Delegation: d.Delegation, Status: d.Status,
		StatusLabel: core.DeliveryStatusLabel(d.Status), Reason: d.Reason, Channel: d.Channel, ErrCode: d.ErrCode,
		Attempts: d.Attempts, Reclaims: d.Reclaims, CreatedAt: d.CreatedAt.UTC(), SentAt: nullTimePtr(d.SentAt),
		DeliveredAt: nullTimePtr(d.DeliveredAt), ReadAt: nullTimePtr(d.ReadAt)}
}
