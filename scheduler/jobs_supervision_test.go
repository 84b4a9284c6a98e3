package scheduler_test

import (
	"context"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/scheduler"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestSupervisionDigestJobCountsPerUnit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 20, 1, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return t0 })
		d := model.Deputy{Name: "王芳", Level: model.LevelProvincial, Delegation: "济南市代表团"}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		for i, unit := range []string{"省教育厅", "省教育厅", "省水利厅"} {
			s := model.Suggestion{Number: string(rune('A' + i)), Title: "建议", HostUnit: unit, LeadDeputyID: d.ID}
			if err := db.CreateSuggestion(ctx, &s, nil); err != nil {
				t.Fatal(err)
			}
		}
		// 2026-07-01: all three passed their 06-20 deadline.
		july := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		jobs := scheduler.SupervisionJobs(core.New(db, core.Options{Now: func() time.Time { return july }, Loc: time.UTC}))
		if len(jobs) != 2 || jobs[0].Name != "supervision-digest" || jobs[1].Name != core.UnitDeadlinesJob {
			t.Fatalf("jobs %+v", jobs)
		}
		r, err := jobs[0].Run(ctx, july)
		if err != nil || r.Counts["逾期"] != 3 || r.Counts["逾期:省教育厅"] != 2 || r.Counts["逾期:省水利厅"] != 1 {
			t.Fatalf("counts %v %v", r.Counts, err)
		}
	})
}
