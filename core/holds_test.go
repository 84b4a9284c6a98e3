package core

import (
	"testing"
	"time"

	"deputybot/model"
)

// A waiting delivery says what holds it and when it goes: quiet hours
// (until they end), the day's quota (until midnight, then past the quiet
// hours), a retry or a schedule (at its time); an urgent one ignores quiet
// hours; a sent one, or one nothing holds, says nothing.
func TestAWaitingDeliverySaysWhatHoldsIt(t *testing.T) {
	loc := shanghaiLoc()
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, loc) }
	h := holds{now: at(5, 23, 10), loc: loc, quiet: quietMinutes("22:00-07:30"), quietText: "22:00-07:30", quota: 100}
	day := holds{now: at(5, 15, 0), loc: loc, quiet: h.quiet, quietText: h.quietText, quota: 100}
	spent := day
	spent.quotaSpent = true
	for _, c := range []struct {
		name   string
		h      holds
		status string
		next   time.Time
		urgent bool
		reason string
		until  time.Time
	}{
		{"due in quiet hours", h, model.DeliveryQueued, at(5, 23, 0), false, "免打扰时段（22:00-07:30）", at(6, 7, 30)},
		{"urgent in quiet hours", h, model.DeliveryQueued, at(5, 23, 0), true, "", time.Time{}},
		{"due in the day", day, model.DeliveryQueued, at(5, 14, 0), false, "", time.Time{}},
		{"the day's quota spent", spent, model.DeliveryQueued, at(5, 14, 0), false, "今日模板消息额度（100 条）已用完；免打扰时段（22:00-07:30）", at(6, 7, 30)},
		{"the day's quota spent, urgent", spent, model.DeliveryQueued, at(5, 14, 0), true, "今日模板消息额度（100 条）已用完", at(6, 0, 0)},
		{"a retry later today", day, model.DeliveryRetry, at(5, 16, 0), false, "发送未成功，等待重试", at(5, 16, 0)},
		{"scheduled into the quiet hours", day, model.DeliveryQueued, at(5, 22, 30), false, "定时发送；免打扰时段（22:00-07:30）", at(6, 7, 30)},
		{"sent", h, model.DeliverySent, at(5, 23, 0), false, "", time.Time{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.h.of(c.status, c.next, c.urgent)
			if got.Reason != c.reason || !got.Until.Equal(c.until) {
				t.Fatalf("hold %q until %v, want %q until %v", got.Reason, got.Until, c.reason, c.until)
			}
		})
	}
	if got := h.text(h.of(model.DeliveryQueued, at(5, 23, 0), false)); got != "免打扰时段（22:00-07:30），预计 3月6日 07:30 发出" {
		t.Fatalf("text %q", got)
	}
}
