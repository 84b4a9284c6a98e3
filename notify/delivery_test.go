package notify_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestQuietHoursAndRateFollowTheDeliveryOverride(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	clk := &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	out := notify.New(db, notify.Config{QuietHours: "22:00-07:30", RatePerSecond: 20}, quiet)
	out.SetClock(clk.Now)
	disp, err := notify.NewDispatcher(out, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	noon := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	night := time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC)
	check := func(step string, wantNoon, wantNight bool, wantRate float64) {
		t.Helper()
		if got := disp.InQuietHours(noon); got != wantNoon {
			t.Errorf("%s: noon quiet = %v, want %v", step, got, wantNoon)
		}
		if got := disp.InQuietHours(night); got != wantNight {
			t.Errorf("%s: 23:00 quiet = %v, want %v", step, got, wantNight)
		}
		if got := disp.RateLimit(); got != wantRate {
			t.Errorf("%s: rate = %v, want %v", step, got, wantRate)
		}
	}
	check("as configured", false, true, 20)

	// Saved in the database: seen once the 30 s cache runs out.
	ctx := context.Background()
	if err := db.SaveDeliverySetting(ctx, &model.DeliverySetting{QuietHours: "11:00-13:00", RatePerSecond: 5}); err != nil {
		t.Fatal(err)
	}
	clk.Add(29 * time.Second)
	check("within 30 s", false, true, 20)
	clk.Add(2 * time.Second)
	check("override", true, false, 5)

	// No quiet hours at all; a reload is seen at once.
	if err := db.SaveDeliverySetting(ctx, &model.DeliverySetting{QuietHours: "", RatePerSecond: 100}); err != nil {
		t.Fatal(err)
	}
	out.ReloadDelivery()
	check("none", false, false, 100)

	// Removed: back to the configuration.
	if err := db.SaveDeliverySetting(ctx, nil); err != nil {
		t.Fatal(err)
	}
	out.ReloadDelivery()
	check("removed", false, true, 20)

	// A failing source keeps the last values; a bad window is ignored.
	reads := 0
	out.SetDeliverySource(func(context.Context) (*notify.DeliveryOverride, error) {
		reads++
		if reads == 1 {
			return &notify.DeliveryOverride{QuietHours: "25:99-xx", RatePerSecond: 7}, nil
		}
		return nil, errors.New("database down")
	})
	check("bad window", false, true, 7)
	clk.Add(31 * time.Second)
	check("source down", false, true, 7)

	// Without a configured rate there is no limit until one is saved.
	out2 := notify.New(db, notify.Config{}, quiet)
	out2.SetDeliverySource(nil)
	disp2, err := notify.NewDispatcher(out2, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := disp2.RateLimit(); !math.IsInf(got, 1) {
		t.Fatalf("unlimited rate = %v", got)
	}
	out2.SetDeliverySource(func(context.Context) (*notify.DeliveryOverride, error) {
		return &notify.DeliveryOverride{RatePerSecond: 3}, nil
	})
	if got := disp2.RateLimit(); got != 3 {
		t.Fatalf("rate after override = %v", got)
	}
}
