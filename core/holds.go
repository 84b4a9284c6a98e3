package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"deputybot/model"
)

// DeliveryLimits are what the outbox is configured to respect: its quiet
// hours ("22:00-07:00"; a saved setting overrides them) and its daily
// quota of template messages.
type DeliveryLimits struct {
	QuietHours string
	DailyQuota int
}

// SetDeliveryLimits tells the services the outbox's configured limits, so
// a waiting delivery can say what holds it.
// A quota of 0 is the outbox's default, 100,000 a day.
func (s *Services) SetDeliveryLimits(l DeliveryLimits) {
	if l.DailyQuota <= 0 {
		l.DailyQuota = 100000
	}
	s.env.limits = l
}

// holds explains, for one list of deliveries read at one moment, why those
// waiting have not gone and when they will.
type holds struct {
	now        time.Time
	loc        *time.Location
	quiet      [2]int // minutes of the day; equal: none
	quietText  string
	quota      int
	quotaSpent bool
}

func (e *env) holds(ctx context.Context) (holds, error) {
	h := holds{now: e.now(), loc: e.loc, quietText: e.limits.QuietHours, quota: e.limits.DailyQuota}
	saved, err := e.db.DeliverySetting(ctx)
	switch {
	case err == nil:
		h.quietText = saved.QuietHours
	case !errors.Is(err, model.ErrNotFound):
		return h, err
	}
	h.quiet = quietMinutes(h.quietText)
	if h.quota > 0 {
		used, err := e.db.QuotaUsed(ctx, h.now.In(e.loc).Format(time.DateOnly))
		if err != nil {
			return h, err
		}
		h.quotaSpent = used >= h.quota
	}
	return h, nil
}

// quietMinutes reads "22:00-07:30" as minutes of the day; anything else
// is no quiet hours.
func quietMinutes(q string) [2]int {
	parts := strings.Split(strings.TrimSpace(q), "-")
	if len(parts) != 2 {
		return [2]int{}
	}
	var out [2]int
	for i, p := range parts {
		hm := strings.Split(strings.TrimSpace(p), ":")
		if len(hm) != 2 {
			return [2]int{}
		}
		h, err1 := strconv.Atoi(hm[0])
		m, err2 := strconv.Atoi(hm[1])
		if err1 != nil || err2 != nil || h < 0 || h > 24 || m < 0 || m > 59 {
			return [2]int{}
		}
		out[i] = h*60 + m
	}
	return out
}

// quietAt reports whether t falls in the quiet hours and, if so, when
// they end.
func (h holds) quietAt(t time.Time) (bool, time.Time) {
	start, end := h.quiet[0], h.quiet[1]
	if start == end {
		return false, time.Time{}
	}
	lt := t.In(h.loc)
	m := lt.Hour()*60 + lt.Minute()
	in := (start < end && m >= start && m < end) || (start > end && (m >= start || m < end))
	if !in {
		return false, time.Time{}
	}
	y, mo, d := lt.Date()
	until := time.Date(y, mo, d, end/60, end%60, 0, 0, h.loc)
	if !until.After(lt) {
		until = until.AddDate(0, 0, 1)
	}
	return true, until
}

// of is why a delivery in status, next due at nextAt, waits, and when it
// is expected to go; the zero Hold when it is not waiting or nothing but
// the queue holds it.
func (h holds) of(status string, nextAt time.Time, urgent bool) model.Hold {
	if status != model.DeliveryQueued && status != model.DeliveryRetry {
		return model.Hold{}
	}
	var why []string
	at := h.now
	if nextAt.After(h.now) {
		at = nextAt
		if status == model.DeliveryRetry {
			why = append(why, "发送未成功，等待重试")
		} else {
			why = append(why, "定时发送")
		}
	}
	if h.quotaSpent && at.In(h.loc).Format(time.DateOnly) == h.now.In(h.loc).Format(time.DateOnly) {
		why = append(why, fmt.Sprintf("今日模板消息额度（%d 条）已用完", h.quota))
		y, m, d := h.now.In(h.loc).Date()
		at = time.Date(y, m, d+1, 0, 0, 0, 0, h.loc)
	}
	if !urgent {
		if in, until := h.quietAt(at); in {
			why = append(why, "免打扰时段（"+h.quietText+"）")
			at = until
		}
	}
	if len(why) == 0 {
		return model.Hold{}
	}
	return model.Hold{Reason: strings.Join(why, "；"), Until: at}
}

// text is a hold as the console's 说明 column says it.
func (h holds) text(hd model.Hold) string {
	if hd.Reason == "" {
		return ""
	}
	return hd.Reason + "，预计 " + hd.Until.In(h.loc).Format("1月2日 15:04") + " 发出"
}

// explainCampaignDeliveries sets each waiting delivery's Hold, and says it
// in Reason where no reason is stored.
func (e *env) explainCampaignDeliveries(ctx context.Context, dls []model.CampaignDelivery) error {
	h, err := e.holds(ctx)
	if err != nil {
		return err
	}
	for i := range dls {
		d := &dls[i]
		if d.Hold = h.of(d.Status, d.NextAt, d.Urgent); d.Hold.Reason != "" && d.Reason == "" {
			d.Reason = h.text(d.Hold)
		}
	}
	return nil
}

// explainDeputyDeliveries is explainCampaignDeliveries for a deputy's
// page.
func (e *env) explainDeputyDeliveries(ctx context.Context, dls []model.DeputyDelivery) error {
	h, err := e.holds(ctx)
	if err != nil {
		return err
	}
	for i := range dls {
		d := &dls[i]
		if d.Hold = h.of(d.Status, d.NextAt, d.Urgent); d.Hold.Reason != "" && d.Reason == "" {
			d.Reason = h.text(d.Hold)
		}
	}
	return nil
}
