package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestAdoptOpinionWritesItsPushOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		deps := addTestDeputies(t, db, 1)
		now := time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		sol := model.Solicitation{Title: "《XX省数据条例（草案）》征求意见", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)}
		if err := db.CreateSolicitation(ctx, &sol); err != nil {
			t.Fatal(err)
		}
		o := model.Opinion{DeputyID: deps[0], Category: model.OpinionSolicitation, SolicitationID: sol.ID, Article: "第3条", Body: "x"}
		if err := db.CreateOpinion(ctx, &o); err != nil {
			t.Fatal(err)
		}
		push := model.Push{DeputyIDs: deps, Notice: model.Notice{Kind: "general_notice", Title: "您的意见已被采纳 " + o.Receipt, Body: "y"}}
		count := func() int {
			ds, err := db.ListDeliveries(ctx, model.DeliveryFilter{DeputyID: deps[0], Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return len(ds)
		}
		for i, want := range []bool{true, false} {
			ok, err := db.AdoptOpinion(ctx, o.ID, "u-staff", "note", push)
			if err != nil || ok != want || count() != 1 {
				t.Fatalf("adopt #%d: %v %v, deliveries %d", i+1, ok, err, count())
			}
		}
		a, err := db.GetOpinionAdoption(ctx, o.ID)
		if err != nil || a.AdoptedBy != "u-staff" || a.Note != "note" || !a.AdoptedAt.Equal(now) {
			t.Fatalf("%+v %v", a, err)
		}
		as, err := db.OpinionAdoptions(ctx, []int64{o.ID, 9999})
		if err != nil || len(as) != 1 {
			t.Fatalf("%+v %v", as, err)
		}
		if _, err := db.GetOpinionAdoption(ctx, 9999); !errors.Is(err, model.ErrNotFound) {
			t.Fatal(err)
		}
		if _, err := db.AdoptOpinion(ctx, 9999, "u", "", push); !errors.Is(err, model.ErrNotFound) {
			t.Fatal(err)
		}
	})
}
