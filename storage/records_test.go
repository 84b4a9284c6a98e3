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

func TestRecordEntries(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		d := model.Deputy{Name: "登记代表", Delegation: "济南市代表团", Level: model.LevelProvincial}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)
		e := model.RecordEntry{DeputyID: d.ID, Category: model.EntryContact, HappenedOn: day, Place: "历城区", Description: "走访选民"}
		if err := db.CreateRecordEntry(ctx, &e); err != nil {
			t.Fatal(err)
		}
		from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		scope := model.RecordScope{Delegation: "济南市代表团"}

		t.Run("a new entry is pending, reads back with its day and is not an event", func(t *testing.T) {
			got, err := db.GetRecordEntry(ctx, e.ID)
			if err != nil || got.Status != model.EntryPending || !got.HappenedOn.Equal(day) || got.DeputyName != "登记代表" || got.Delegation != "济南市代表团" {
				t.Fatalf("entry %+v %v", got, err)
			}
			evs, err := db.RecordFacts(ctx, scope, from, to)
			if err != nil || len(evs) != 0 {
				t.Fatalf("events %+v %v", evs, err)
			}
			counts, err := db.RecordEntryCounts(ctx, scope, from, to)
			if err != nil || counts[d.ID][model.EntryPending] != 1 {
				t.Fatalf("counts %v %v", counts, err)
			}
			list, n, err := db.ListRecordEntries(ctx, model.RecordEntryFilter{Status: model.EntryPending, Limit: 10})
			if err != nil || n != 1 || len(list) != 1 || list[0].ID != e.ID {
				t.Fatalf("queue %+v %d %v", list, n, err)
			}
		})

		t.Run("an approved entry is an event on its day; a second review conflicts", func(t *testing.T) {
			if err := db.ReviewRecordEntry(ctx, e.ID, model.EntryApproved, "属实", "张三"); err != nil {
				t.Fatal(err)
			}
			if err := db.ReviewRecordEntry(ctx, e.ID, model.EntryRejected, "x", "李四"); !errors.Is(err, model.ErrConflict) {
				t.Fatalf("second review gave %v", err)
			}
			if err := db.ReviewRecordEntry(ctx, 9999, model.EntryRejected, "x", "李四"); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("missing entry gave %v", err)
			}
			evs, err := db.RecordFacts(ctx, model.RecordScope{DeputyID: d.ID}, from, to)
			if err != nil || len(evs) != 1 || evs[0].Kind != model.EventEntry || !evs[0].At.Equal(day) || evs[0].Place != "历城区" {
				t.Fatalf("events %+v %v", evs, err)
			}
			got, _ := db.GetRecordEntry(ctx, e.ID)
			if got.ReviewedBy != "张三" || got.ReviewNote != "属实" || got.ReviewedAt == nil {
				t.Fatalf("review not kept: %+v", got)
			}
		})

		t.Run("an entry of a missing deputy is refused", func(t *testing.T) {
			bad := model.RecordEntry{DeputyID: 9999, Category: model.EntryOther, HappenedOn: day, Description: "x"}
			if err := db.CreateRecordEntry(ctx, &bad); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("gave %v", err)
			}
		})
	})
}
