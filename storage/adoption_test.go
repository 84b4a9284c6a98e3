package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestAdoptOpinionWritesItsPushOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		deps := addTestDeputies(t, db, 1)
		now := time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		sol := storage.Solicitation{Title: "《XX省数据条例（草案）》征求意见", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)}
		if err := db.CreateSolicitation(ctx, &sol); err != nil {
			t.Fatal(err)
		}
		o := storage.Opinion{DeputyID: deps[0], Category: storage.OpinionSolicitation, SolicitationID: sol.ID, Article: "第3条", Body: "x"}
		if err := db.CreateOpinion(ctx, &o); err != nil {
			t.Fatal(err)
		}
		push := storage.Push{DeputyIDs: deps, Notice: storage.Notice{Kind: "general_notice", Title: "您的意见已被采纳 " + o.Receipt, Body: "y"}}
		count := func() int {
			ds, err := db.ListDeliveries(ctx, storage.DeliveryFilter{DeputyID: deps[0], Limit: 100})
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
		if _, err := db.GetOpinionAdoption(ctx, 9999); !errors.Is(err, storage.ErrNotFound) {
			t.Fatal(err)
		}
		if _, err := db.AdoptOpinion(ctx, 9999, "u", "", push); !errors.Is(err, storage.ErrNotFound) {
			t.Fatal(err)
		}
	})
}
