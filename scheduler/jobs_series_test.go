package scheduler_test

import (
	"log/slog"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/scheduler"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestTheSeriesJob(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		loc := time.FixedZone("CST", 8*60*60)
		// Monday 2026-03-02 08:00 in Shanghai.
		now := time.Date(2026, 3, 2, 8, 0, 0, 0, loc)
		db.SetClock(func() time.Time { return now })
		s := model.Series{Name: "每周提醒", Kind: model.KindGeneral, Title: "本周履职提醒", Body: "请关注本周活动。",
			Audience: model.Audience{All: true}, Schedule: "0 9 * * 1"}
		if err := core.NewNoticeSeries(db, loc).Create(ctx, &s); err != nil {
			t.Fatal(err)
		}
		out := notify.New(db, notify.Config{}, slog.New(slog.DiscardHandler))
		job := scheduler.SeriesJob(core.New(db, core.Options{Now: func() time.Time { return now }, Loc: loc}), out)
		campaigns := func() int {
			_, n, err := db.ListCampaigns(ctx, model.CampaignFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		run := func(at time.Time) {
			t.Helper()
			now = at
			if _, err := job.Run(ctx, at); err != nil {
				t.Fatal(err)
			}
		}

		run(now.Add(30 * time.Minute)) // 08:30: before the first tick
		if n := campaigns(); n != 0 {
			t.Fatalf("before the tick: %d campaigns", n)
		}
		tick := time.Date(2026, 3, 2, 9, 0, 30, 0, loc)
		run(tick)
		run(tick) // a second instance running the same minute
		run(tick.Add(time.Minute))
		if n := campaigns(); n != 1 {
			t.Fatalf("after the first tick: %d campaigns, want 1", n)
		}
		for day := 1; day < 7; day++ {
			run(tick.AddDate(0, 0, day))
		}
		if n := campaigns(); n != 1 {
			t.Fatalf("during the week: %d campaigns, want 1", n)
		}
		run(tick.AddDate(0, 0, 7))
		if n := campaigns(); n != 2 {
			t.Fatalf("a week later: %d campaigns, want 2", n)
		}
		if err := db.SetSeriesActive(ctx, s.ID, false); err != nil {
			t.Fatal(err)
		}
		run(tick.AddDate(0, 0, 14))
		if n := campaigns(); n != 2 {
			t.Fatalf("inactive: %d campaigns, want 2", n)
		}
	})
}

func TestASeriesRunIsClaimedOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		s := model.Series{Name: "x", Kind: model.KindGeneral, Title: "t", Body: "b", Schedule: "* * * * *"}
		if err := db.CreateSeries(ctx, &s); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
		first, err := db.ClaimSeriesRun(ctx, s.ID, nil, at)
		if err != nil || !first {
			t.Fatalf("first claim: %v %v", first, err)
		}
		if again, err := db.ClaimSeriesRun(ctx, s.ID, nil, at); err != nil || again {
			t.Fatalf("second claim of the same tick: %v %v", again, err)
		}
		got, err := db.GetSeries(ctx, s.ID)
		if err != nil || got.LastRunAt == nil {
			t.Fatalf("%+v %v", got, err)
		}
		if ok, err := db.ClaimSeriesRun(ctx, s.ID, got.LastRunAt, at.Add(time.Minute)); err != nil || !ok {
			t.Fatalf("next tick: %v %v", ok, err)
		}
	})
}
