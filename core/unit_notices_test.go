package core_test

import (
	"fmt"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestUnitsAreToldOfEveryAssignmentAndEachSendingBack: the bound staff
// of a deputy's suggestion's units are told when staff accept it and
// assign it (the review's path), as when staff create one; a reply rated
// 不满意 by two deputies sends it back once, so the unit is told once, and
// the next reply sent back tells it again. An unbound unit's staff get
// nothing.
func TestUnitsAreToldOfEveryAssignmentAndEachSendingBack(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newSignupWorld(t, db)
		ctx := t.Context()
		sv := w.svc.Suggestions
		w.svc.Staff.HashCost = bcrypt.MinCost
		accounts := map[string]model.Account{}
		for i, unit := range []string{"省交通运输厅", "省财政厅", "省水利厅"} {
			a, _, err := w.svc.Staff.Create(ctx, core.NewAccount{Username: fmt.Sprintf("unit%d", i), Name: "承办人", Role: model.RoleUnit, Unit: unit})
			if err != nil {
				t.Fatal(err)
			}
			accounts[unit] = a
			if unit != "省水利厅" {
				if err := db.BindStaffWeChat(ctx, a.ID, fmt.Sprintf("o-unit-%d", i)); err != nil {
					t.Fatal(err)
				}
			}
		}
		told := func(kind string, sg int64) int {
			t.Helper()
			return w.count(t, `SELECT COUNT(*) FROM deliveries d JOIN notices n ON n.id = d.notice_id
				WHERE n.kind = ? AND d.source LIKE ?`, model.KindUnitTask, fmt.Sprintf("unit:%s:s%d:%%", kind, sg))
		}

		// A deputy's suggestion, accepted and assigned to two units.
		author := core.DeputyActor(w.a, core.ViaWeChat)
		sg, err := sv.SubmitAs(ctx, author, draftOf())
		if err != nil {
			t.Fatal(err)
		}
		staff := staffActor(model.RoleStaff)
		if _, err := sv.ReviewAs(ctx, staff, sg.ID, core.ReviewAction{Action: core.ReviewAccept, Units: []string{"省交通运输厅", "省财政厅"}}); err != nil {
			t.Fatal(err)
		}
		if n := told(model.UnitNoticeAssigned, sg.ID); n != 2 {
			t.Fatalf("%d assignment notices for an accepted suggestion, want 2 (one per bound unit)", n)
		}

		// A suggestion staff create for 省交通运输厅 with 省水利厅 (unbound) as co-unit.
		made := model.Suggestion{Number: "第0301号", Title: "关于改善农村公路的建议", HostUnit: "省交通运输厅", CoUnits: "省水利厅",
			LeadDeputyID: w.a.ID}
		if err := sv.CreateAs(ctx, staff, &made, []int64{w.b.ID}); err != nil {
			t.Fatal(err)
		}
		if n := told(model.UnitNoticeAssigned, made.ID); n != 1 {
			t.Fatalf("%d assignment notices, want 1 (the co-unit has no bound staff)", n)
		}
		unit := core.StaffActor(accounts["省交通运输厅"], core.ViaAPI)
		reply := func() {
			t.Helper()
			if _, err := sv.RecordStepAs(ctx, unit, made.ID, &model.SuggestionStep{Kind: model.StepReplied, Actor: "省交通运输厅",
				ReplyCategory: "B", Note: "已列入明年计划。"}); err != nil {
				t.Fatal(err)
			}
		}
		bad := core.Rating{Contact: model.ContactPhone, Attitude: model.RatingBasic, Result: model.RatingDissatisfied, Reason: "仍未解决"}
		reply()
		for _, d := range []model.Deputy{w.a, w.b} {
			if _, err := sv.RateAs(ctx, core.DeputyActor(d, core.ViaWeChat), made.ID, bad); err != nil {
				t.Fatal(err)
			}
		}
		if n := told(model.UnitNoticeRehandling, made.ID); n != 1 {
			t.Fatalf("%d re-handling notices after two 不满意 of one reply, want 1", n)
		}
		w.now = w.now.AddDate(0, 0, 3)
		reply()
		if _, err := sv.RateAs(ctx, author, made.ID, bad); err != nil {
			t.Fatal(err)
		}
		if n := told(model.UnitNoticeRehandling, made.ID); n != 2 {
			t.Fatalf("%d re-handling notices after the second reply was sent back, want 2", n)
		}
	})
}
