package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// The chat's batched list reads keep the single reads' permission: every
// actor of a batch must be a deputy acting for themself.
func TestTheBatchedListReadsAreTheDeputiesOwn(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := core.New(db, core.Options{})
		d := model.Deputy{Name: "代表甲", Level: model.LevelProvincial, Phone: "13900007001"}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		dep := core.DeputyActor(d, core.ViaWeChat)
		staff := staffActor("admin")
		bys := []core.Actor{dep, staff}
		now := time.Now()
		if _, err := svc.Materials.LatestForDeputies(ctx, bys, 5); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("materials: %v", err)
		}
		if _, err := svc.Suggestions.MineWithDraftsOf(ctx, bys); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("suggestions: %v", err)
		}
		if _, err := svc.Meetings.UpcomingOf(ctx, bys, []time.Time{now, now}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("meetings: %v", err)
		}
		ms, err := svc.Materials.LatestForDeputies(ctx, []core.Actor{dep, dep}, 5)
		if err != nil || len(ms) != 2 {
			t.Errorf("the deputy's own: %v %v", ms, err)
		}
		sg, err := svc.Suggestions.MineWithDraftsOf(ctx, []core.Actor{dep})
		if err != nil || len(sg) != 1 || len(sg[0].List) != 0 {
			t.Errorf("the deputy's own suggestions: %+v %v", sg, err)
		}
		invs, err := svc.Meetings.UpcomingOf(ctx, []core.Actor{dep}, []time.Time{now})
		if err != nil || len(invs) != 1 || len(invs[0]) != 0 {
			t.Errorf("the deputy's own meetings: %+v %v", invs, err)
		}
	})
}
