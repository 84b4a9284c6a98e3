package core

import (
	"context"
	"fmt"
	"math"
	"time"

	"deputybot/model"
)

// paceWindow is how far back the send rate is measured.
const paceWindow = 10 * time.Second

// CampaignProgress is where a campaign's sending stands, for a page that
// follows it live: its deliveries by outcome, how fast they go out and
// how long the rest will take.
type CampaignProgress struct {
	ID          int64  `json:"id"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	// Moving is true while deliveries are being written or sent.
	Moving bool `json:"moving"`
	Total  int  `json:"total"`
	// Sent counts those WeChat accepted (delivered and read ones too);
	// Delivered those it reported delivered (read ones too).
	Sent      int `json:"sent"`
	Delivered int `json:"delivered"`
	Read      int `json:"read"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	Cancelled int `json:"cancelled"`
	// Queued are still to go: queued, being sent, to retry or held.
	Queued int `json:"queued"`
	// Done is Total less Queued; Percent is Done of Total.
	Done    int `json:"done"`
	Percent int `json:"percent"`
	// Rate is the messages accepted per second lately; Remaining the
	// time the queued ones will take at that rate (0: unknown).
	Rate          float64       `json:"rate"`
	RateText      string        `json:"rate_text"`
	Remaining     time.Duration `json:"-"`
	RemainingText string        `json:"remaining_text"`
}

// Progress tells where campaign id's sending stands.
func (s *Campaigns) Progress(ctx context.Context, by Actor, id int64) (CampaignProgress, error) {
	if err := by.Require(Viewers...); err != nil {
		return CampaignProgress{}, err
	}
	d, err := s.detail(ctx, id)
	if err != nil {
		return CampaignProgress{}, err
	}
	return s.ProgressOf(ctx, by, d)
}

// ProgressOf tells where the sending of d, a campaign just read with Get,
// stands, without reading its counts again.
func (s *Campaigns) ProgressOf(ctx context.Context, by Actor, d CampaignDetail) (CampaignProgress, error) {
	if err := by.Require(Viewers...); err != nil {
		return CampaignProgress{}, err
	}
	id := d.ID
	now := s.now()
	c := d.Counts
	p := CampaignProgress{ID: d.ID, Status: d.Status, StatusLabel: model.CampaignLabel(d.Status), Total: d.Total,
		Moving:    d.Status == model.CampaignSending || (d.Status == model.CampaignScheduled && !d.SendAt.After(now)),
		Sent:      SentCount(c),
		Delivered: c[model.DeliveryDelivered] + c[model.DeliveryRead],
		Read:      c[model.DeliveryRead], Failed: c[model.DeliveryFailed], Skipped: c[model.DeliverySkipped],
		Cancelled: c[model.DeliveryCancelled],
		Queued:    c[model.DeliveryQueued] + c[model.DeliverySending] + c[model.DeliveryRetry] + c[model.DeliveryHeld]}
	p.Done = p.Total - p.Queued
	if p.Total > 0 {
		p.Percent = p.Done * 100 / p.Total
	}
	if d.Status == model.CampaignSending {
		recent, first, err := s.db.CampaignPace(ctx, id, now.Add(-paceWindow))
		if err != nil {
			return CampaignProgress{}, err
		}
		if first.Valid && recent > 0 {
			window := min(paceWindow, now.Sub(first.Time))
			window = max(window, time.Second)
			p.Rate = math.Round(float64(recent)/window.Seconds()*10) / 10
		}
	}
	p.RateText = "—"
	if p.Rate > 0 {
		p.RateText = fmt.Sprintf("%g 条/秒", p.Rate)
		if p.Queued > 0 {
			p.Remaining = time.Duration(float64(p.Queued) / p.Rate * float64(time.Second))
		}
	}
	p.RemainingText = durationText(p.Remaining, p.Queued)
	return p, nil
}

// durationText says how long the rest will take, roughly, in Chinese.
func durationText(d time.Duration, queued int) string {
	switch {
	case queued == 0:
		return "无"
	case d <= 0:
		return "—"
	case d < time.Minute:
		return fmt.Sprintf("约 %d 秒", int(math.Ceil(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("约 %d 分钟", int(math.Ceil(d.Minutes())))
	}
	return fmt.Sprintf("约 %.1f 小时", d.Hours())
}

// DeliveryRates are a campaign's delivered and read shares of those it was sent
// to (everyone but the skipped and cancelled); ok is false before anyone
// could be sent to.
func DeliveryRates(counts map[string]int) (delivered, read float64, ok bool) {
	total := 0
	for _, n := range counts {
		total += n
	}
	base := total - counts[model.DeliverySkipped] - counts[model.DeliveryCancelled]
	if base <= 0 {
		return 0, 0, false
	}
	return float64(counts[model.DeliveryDelivered]+counts[model.DeliveryRead]) / float64(base),
		float64(counts[model.DeliveryRead]) / float64(base), true
}
