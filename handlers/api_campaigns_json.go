package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/core"
	"deputybot/model"
)

// apiCampaign is a campaign as the API shows it: its notice, audience and
// delivery counts by status.
type apiCampaign struct {
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

func apiCampaignOf(c model.Campaign, counts map[string]int) apiCampaign {
	if counts == nil {
		counts = map[string]int{}
	}
	out := apiCampaign{ID: c.ID, Status: c.Status, StatusLabel: campaignStatusLabel(c.Status), Reason: c.Reason,
		SendAt: c.SendAt.UTC(), CreatedAt: c.CreatedAt.UTC(), ExpandedAt: campaignTime(c.ExpandedAt),
		FinishedAt: campaignTime(c.FinishedAt), NoticeID: c.NoticeID, Audience: c.Audience,
		AudienceSummary: campaignAudienceSummary(c.Audience), Counts: counts}
	for _, n := range counts {
		out.Total += n
	}
	return out
}

// withNotice adds the notice's content.
func (a apiCampaign) withNotice(n model.Notice) apiCampaign {
	a.Kind, a.KindLabel, a.Title, a.Link, a.Urgent, a.CreatedBy = n.Kind, noticeKindLabelOf(n.Kind), n.Title, n.Link, n.Urgent, n.CreatedBy
	a.Test = isTestNotice(n)
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

// apiCampaignInput is the body of POST /api/v1/campaigns.
type apiCampaignInput struct {
	Kind     string            `json:"kind"`
	Title    string            `json:"title"`
	Body     string            `json:"body"`
	Link     string            `json:"link"`
	Urgent   bool              `json:"urgent"`
	Fields   map[string]string `json:"fields"`
	Audience *model.Audience   `json:"audience"`
	SendAt   string            `json:"send_at"` // RFC 3339, or "2006-01-02 15:04" local; empty: now
	Test     bool              `json:"test"`    // send now to the one deputy in audience.deputy_ids, marked as a test
}

// input checks what only the API can get wrong and returns the notice.
func (in apiCampaignInput) input(loc *time.Location) (campaignNoticeInput, model.Audience, core.ValidationError) {
	n := campaignNoticeInput{Kind: in.Kind, Title: strings.TrimSpace(in.Title), Body: strings.TrimSpace(in.Body),
		Link: strings.TrimSpace(in.Link), Urgent: in.Urgent, Fields: map[string]string{}}
	var errs core.ValidationError
	if len(in.Fields) > 20 {
		errs = append(errs, &core.FieldError{Key: "fields", Label: "模板字段", Msg: "最多 20 项"})
	}
	for k, v := range in.Fields {
		if k == "" || strings.HasPrefix(k, "_") || len(k) > 32 || utf8.RuneCountInString(v) > campaignMaxField {
			errs = append(errs, &core.FieldError{Key: "fields", Label: "模板字段", Value: k, Msg: fmt.Sprintf("名称应为 1–32 个字符（不以 _ 开头），值最多 %d 个字", campaignMaxField)})
			break
		}
		n.Fields[k] = v
	}
	if in.SendAt != "" && !in.Test {
		t, err := parseCampaignTime(in.SendAt, loc)
		if err != nil {
			errs = append(errs, &core.FieldError{Key: "send_at", Label: "发送时间", Value: in.SendAt, Msg: "应为 RFC 3339 时间，如 2026-03-05T09:00:00+08:00"})
		}
		n.SendAt = t
	}
	var a model.Audience
	if in.Audience != nil {
		a = *in.Audience
	}
	if in.Test && len(a.DeputyIDs) != 1 {
		errs = append(errs, &core.FieldError{Key: "test_deputy", Label: "测试代表", Msg: "发送测试时 audience.deputy_ids 应恰好包含一位代表"})
	}
	if in.Test {
		a = model.Audience{DeputyIDs: a.DeputyIDs}
	}
	return n, a, errs
}

// apiDelivery is one recipient's delivery of a campaign.
type apiDelivery struct {
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
}

func apiDeliveryOf(d model.CampaignDelivery) apiDelivery {
	return apiDelivery{ID: d.ID, DeputyID: d.DeputyID, DeputyName: d.DeputyName, Delegation: d.Delegation, Status: d.Status,
		StatusLabel: orDefault(model.DeliveryLabel(d.Status), d.Status), Reason: d.Reason, Channel: d.Channel, ErrCode: d.ErrCode,
		Attempts: d.Attempts, Reclaims: d.Reclaims, CreatedAt: d.CreatedAt.UTC(), SentAt: campaignTime(d.SentAt),
		DeliveredAt: campaignTime(d.DeliveredAt), ReadAt: campaignTime(d.ReadAt)}
}

// campaignPerPage reads per_page (1–most, default def).
func campaignPerPage(r *http.Request, def, most int) (int, error) {
	v := r.URL.Query().Get("per_page")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return 0, badRequest("per_page 应为 1 到 %d 之间的整数", most)
	}
	return n, nil
}
