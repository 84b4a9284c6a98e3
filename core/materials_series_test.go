package core_test

import (
	"context"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
)

// The study series pushes each deputy the oldest material they were not
// sent and have not studied, one a run, never the same twice.
func TestStudySeriesPushesEachDeputyTheirNext(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		db.SetClock(clock.Now)
		svc := core.New(db, core.Options{Now: clock.Now})
		staff := core.CLIActor(model.Account{}, "tester")
		job := core.SystemActor("study-series")
		a := model.Deputy{Name: "甲", Level: model.LevelProvincial, OpenID: "o-a"}
		b := model.Deputy{Name: "乙", Level: model.LevelProvincial, OpenID: "o-b"}
		unbound := model.Deputy{Name: "丙", Level: model.LevelProvincial}
		for _, d := range []*model.Deputy{&a, &b, &unbound} {
			if err := db.CreateDeputy(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		var ids []int64
		for _, title := range []string{"第一份", "第二份"} {
			m, err := svc.Materials.Create(ctx, staff, core.MaterialInput{Title: title, Body: "正文"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Materials.Publish(ctx, staff, m.ID, core.PublishInput{}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
			clock.Advance(time.Minute)
		}
		// 乙 studied the first already: the series starts them on the second.
		if _, _, err := svc.Materials.Study(ctx, core.DeputyActor(b, core.ViaWeChat), ids[0]); err != nil {
			t.Fatal(err)
		}
		got := func(d model.Deputy, mid int64) int {
			var n int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries dl JOIN notices n ON n.id = dl.notice_id
				WHERE dl.deputy_id = ? AND n.ref_kind = 'material' AND n.ref_id = ?`, d.ID, mid).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for run, want := range []int{2, 1, 0} {
			n, err := svc.Materials.SendSeries(ctx, job, clock.Now())
			if err != nil || n != want {
				t.Fatalf("run %d: %d deputies, %v; want %d", run+1, n, err, want)
			}
		}
		if got(a, ids[0]) != 1 || got(a, ids[1]) != 1 || got(b, ids[0]) != 0 || got(b, ids[1]) != 1 || got(unbound, ids[0]) != 0 {
			t.Fatal("the series pushed the wrong materials")
		}
		if _, err := svc.Materials.SendSeries(ctx, core.StaffActor(model.Account{ID: 3, Role: model.RoleStaff}, core.ViaAPI), clock.Now()); err == nil {
			t.Fatal("staff ran the job")
		}
	})
}

// The monthly report's study section counts published materials (not
// drafts) and their studies.
func TestReportCountsStudies(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := context.Background()
	clock := testkit.NewClock()
	db.SetClock(clock.Now)
	svc := core.New(db, core.Options{Now: clock.Now})
	staff := core.CLIActor(model.Account{}, "tester")
	d := model.Deputy{Name: "甲", Level: model.LevelProvincial, OpenID: "o-a"}
	if err := db.CreateDeputy(ctx, &d); err != nil {
		t.Fatal(err)
	}
	pub, _ := svc.Materials.Create(ctx, staff, core.MaterialInput{Title: "已发布", Body: "正文"})
	if _, err := svc.Materials.Create(ctx, staff, core.MaterialInput{Title: "草稿", Body: "正文"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Materials.Publish(ctx, staff, pub.ID, core.PublishInput{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Materials.Study(ctx, core.DeputyActor(d, core.ViaWeChat), pub.ID); err != nil {
		t.Fatal(err)
	}
	now := clock.Now()
	rep, err := svc.Reports.Period(ctx, now.Add(-24*time.Hour), now.Add(24*time.Hour))
	if err != nil || rep.Materials != 1 || rep.Studies != 1 || rep.Students != 1 || rep.StudyRate != 1 {
		t.Fatalf("%+v %v", rep.ReportCounts, err)
	}
}
