package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestAdoptOpinionTellsTheAuthorOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		svc := core.NewOpinions(db)
		svc.SetClock(func() time.Time { return now })
		d := model.Deputy{Name: "王芳", Level: model.LevelProvincial}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		sol := model.Solicitation{Title: "《XX省数据条例（草案）》征求意见", Articles: 40, ClosesAt: now.Add(24 * time.Hour)}
		if err := svc.CreateSolicitation(ctx, &sol); err != nil {
			t.Fatal(err)
		}
		receipt, err := svc.Submit(ctx, d.ID, model.Opinion{SolicitationID: sol.ID, Article: "12", Body: "建议明确数据分类分级标准"})
		if err != nil {
			t.Fatal(err)
		}
		o, _ := svc.ByReceipt(ctx, receipt)
		general, err := svc.Submit(ctx, d.ID, model.Opinion{Category: "social", Body: "建议增加农村公交班次"})
		if err != nil {
			t.Fatal(err)
		}
		g, _ := svc.ByReceipt(ctx, general)
		before := deliveriesOf(t, db, d.ID)

		_, adopted, err := svc.AdoptAs(ctx, staffActor(model.RoleStaff), o.ID, " 已吸收 ")
		if err != nil || !adopted {
			t.Fatalf("adopt: %v %v", adopted, err)
		}
		a, err := db.GetOpinionAdoption(ctx, o.ID)
		if err != nil || a.AdoptedBy != "u-staff" || a.Note != "已吸收" || !a.AdoptedAt.Equal(now) {
			t.Fatalf("adoption %+v %v", a, err)
		}
		got := deliveriesOf(t, db, d.ID)
		if len(got) != len(before)+1 {
			t.Fatalf("deliveries %d → %d, want one more", len(before), len(got))
		}
		n, err := db.GetNotice(ctx, got[len(got)-1].NoticeID)
		if err != nil || n.Kind != "general_notice" || n.Title != "您的意见已被采纳 "+receipt ||
			!strings.Contains(n.Body, sol.Title) || !strings.Contains(n.Body, "第十二条") || n.RefKind != "opinion" || n.RefID != o.ID {
			t.Fatalf("notice %+v %v", n, err)
		}

		_, adopted, err = svc.AdoptAs(ctx, staffActor(model.RoleAdmin), o.ID, "")
		if err != nil || adopted || len(deliveriesOf(t, db, d.ID)) != len(got) {
			t.Fatalf("adopting again: %v %v, deliveries %d", adopted, err, len(deliveriesOf(t, db, d.ID)))
		}
		if a2, _ := db.GetOpinionAdoption(ctx, o.ID); a2.AdoptedBy != "u-staff" {
			t.Fatalf("adopting again changed it: %+v", a2)
		}
		var ve core.ValidationError
		if _, _, err := svc.AdoptAs(ctx, staffActor(model.RoleStaff), g.ID, ""); !errors.As(err, &ve) {
			t.Fatalf("adopting an opinion not on a draft: %v", err)
		}
		if _, _, err := svc.AdoptAs(ctx, staffActor(model.RoleStaff), o.ID, strings.Repeat("长", 501)); !errors.As(err, &ve) {
			t.Fatalf("long note: %v", err)
		}
		if _, _, err := svc.AdoptAs(ctx, staffActor(model.RoleStaff), 9999, ""); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("missing opinion: %v", err)
		}
		as, err := svc.Adoptions(ctx, []model.Opinion{o, g})
		if err != nil || len(as) != 1 || as[o.ID].OpinionID != o.ID {
			t.Fatalf("adoptions %+v %v", as, err)
		}
		if _, err := db.AdoptOpinion(ctx, 9999, "x", ""); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("storage, missing opinion: %v", err)
		}
	})
}

func deliveriesOf(t *testing.T, db *storage.DB, deputyID int64) []model.Delivery {
	t.Helper()
	ds, err := db.ListDeliveries(context.Background(), model.DeliveryFilter{DeputyID: deputyID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}
