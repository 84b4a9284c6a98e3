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

func TestSupervisionExtensionsOnePendingAndDecidedOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock, _ := sugClock(sugT0)
		db.SetClock(clock)
		ids := suggestionFixture(t, db, "王芳")
		s := createSuggestion(t, db, "第0001号", "省教育厅", "十四届三次", ids[0])
		old, nd := time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
		e := model.Extension{SuggestionID: s.ID, Unit: "省教育厅", OldDeadline: old, NewDeadline: nd, Reason: "协调", RequestedBy: "李四"}
		if err := db.CreateExtension(ctx, &e); err != nil {
			t.Fatal(err)
		}
		again := e
		if err := db.CreateExtension(ctx, &again); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("a second pending request: %v", err)
		}
		if err := db.CreateExtension(ctx, &model.Extension{SuggestionID: 999, OldDeadline: old, NewDeadline: nd}); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a missing suggestion: %v", err)
		}
		if err := db.DecideExtension(ctx, e.ID, model.ExtensionApproved, "张三", "同意"); err != nil {
			t.Fatal(err)
		}
		if err := db.DecideExtension(ctx, e.ID, model.ExtensionRejected, "张三", ""); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("deciding twice: %v", err)
		}
		if err := db.DecideExtension(ctx, 999, model.ExtensionRejected, "张三", ""); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a missing request: %v", err)
		}
		got, err := db.GetExtension(ctx, e.ID)
		if err != nil || got.Status != model.ExtensionApproved || !got.NewDeadline.Equal(nd) || got.Number != "第0001号" || got.DecidedAt == nil {
			t.Fatalf("stored %+v %v", got, err)
		}
		rows, err := db.SupervisionRows(ctx, model.SupervisionFilter{HostUnit: "省教育厅"})
		if err != nil || len(rows) != 1 || rows[0].Extended == nil || !rows[0].Extended.Equal(nd) || rows[0].Pending != 0 {
			t.Fatalf("rows %+v %v", rows, err)
		}
		if rows, _ := db.SupervisionRows(ctx, model.SupervisionFilter{HostUnit: "省交通运输厅"}); len(rows) != 0 {
			t.Fatalf("another unit: %d rows", len(rows))
		}
	})
}
