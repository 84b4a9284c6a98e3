package storage_test

import (
	"errors"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestAssignOpinionReplacesTheAssignee(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		d := model.Deputy{Name: "王芳", Phone: "13800000001"}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		o := model.Opinion{DeputyID: d.ID, Category: model.OpinionSocial, Body: "x"}
		if err := db.CreateOpinion(ctx, &o); err != nil {
			t.Fatal(err)
		}
		a, b := model.Account{Username: "a", Role: model.RoleStaff}, model.Account{Username: "b", Name: "乙", Role: model.RoleStaff}
		for _, acc := range []*model.Account{&a, &b} {
			if err := db.CreateAccount(ctx, acc); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.GetOpinionAssignment(ctx, o.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("unassigned: %v", err)
		}
		for _, id := range []int64{a.ID, b.ID} {
			if err := db.AssignOpinion(ctx, o.ID, id, "admin"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.OpinionAssignments(ctx, []int64{o.ID, o.ID + 100})
		if err != nil || len(got) != 1 || got[o.ID].StaffID != b.ID || got[o.ID].StaffName != "乙" {
			t.Fatalf("%+v %v", got, err)
		}
		if err := db.AssignOpinion(ctx, o.ID+100, a.ID, "admin"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("missing opinion: %v", err)
		}
	})
}
