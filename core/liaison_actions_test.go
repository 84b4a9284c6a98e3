package core_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestLiaisonActionsAreOneDoor: each 双联系 action staff take checks the
// role, refuses bad input with keyed field errors and writes nothing, and
// leaves exactly one audit entry when it succeeds.
func TestLiaisonActionsAreOneDoor(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)
		svc := core.New(db, core.Options{Now: func() time.Time { return now }})
		staff := core.StaffActor(model.Account{ID: 1, Username: "wang", Role: model.RoleStaff}, core.ViaConsole)
		reader := core.StaffActor(model.Account{ID: 2, Username: "zhao", Role: model.RoleReadonly}, core.ViaAPI)
		var ids []int64
		for i := 1; i <= 6; i++ {
			d := model.Deputy{Name: fmt.Sprintf("代表%d", i), Level: model.LevelProvincial, Delegation: "济南市代表团"}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		key := func(err error) string {
			fe, ok := core.Fields(err)
			if !ok || len(fe) == 0 {
				return fmt.Sprintf("not a field error: %v", err)
			}
			return fe[0].Key
		}

		if _, err := svc.Liaison.CreateMemberAs(ctx, reader, model.CommitteeMember{Name: "李委员"}, 0); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("read-only creates: %v", err)
		}
		// A deputy that does not exist: the member is not created either.
		if _, err := svc.Liaison.CreateMemberAs(ctx, staff, model.CommitteeMember{Name: "李委员"}, 9999); key(err) != "deputy_id" {
			t.Fatalf("unknown deputy: %v", err)
		}
		if ms, _ := svc.Liaison.MembersAs(ctx, reader); len(ms) != 0 {
			t.Fatalf("created despite the error: %+v", ms)
		}
		m, err := svc.Liaison.CreateMemberAs(ctx, staff, model.CommitteeMember{Name: "李委员"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Liaison.LinkAs(ctx, staff, m.ID, []int64{ids[0], 9999}); key(err) != "deputy_id" {
			t.Fatalf("link to nobody: %v", err)
		}
		linked, warning, err := svc.Liaison.LinkAs(ctx, staff, m.ID, ids[:4])
		if err != nil || len(linked) != 4 || warning == "" {
			t.Fatalf("link: %v %q %v", linked, warning, err)
		}
		if _, err := svc.Liaison.LogContactAs(ctx, staff, model.MemberContact{MemberID: m.ID, DeputyID: ids[5], Kind: "电话",
			OnDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}); key(err) != "deputy_id" {
			t.Fatalf("contact with an unlinked deputy: %v", err)
		}
		c, err := svc.Liaison.LogContactAs(ctx, staff, model.MemberContact{MemberID: m.ID, DeputyID: ids[0], Kind: "电话",
			OnDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil || c.DeputyName != "代表1" {
			t.Fatalf("contact: %+v %v", c, err)
		}
		if _, err := svc.Liaison.LogContactAs(ctx, staff, model.MemberContact{MemberID: 9999, DeputyID: ids[0], Kind: "电话",
			OnDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("contact of nobody: %v", err)
		}
		if _, code, _, err := svc.Liaison.IssueMemberBindCodeAs(ctx, staff, m.ID); err != nil || len(code) != 6 {
			t.Fatalf("code %q %v", code, err)
		}
		if m, err = svc.Liaison.SetMemberDeputyAs(ctx, staff, m.ID, ids[5]); err != nil || m.DeputyID != ids[5] {
			t.Fatalf("deputy: %+v %v", m, err)
		}
		l, err := svc.Liaison.CreateLeaderAs(ctx, staff, ids[4], "", "副省长")
		if err != nil || l.Unit != "济南市代表团" {
			t.Fatalf("leader: %+v %v", l, err)
		}
		if _, err := svc.Liaison.CreateLeaderAs(ctx, staff, ids[4], "", ""); key(err) != "deputy_id" {
			t.Fatalf("leader twice: %v", err)
		}
		if _, err := svc.Liaison.LogActivityAs(ctx, staff, model.LeaderActivity{LeaderID: l.ID, Kind: "宴请",
			OnDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}); key(err) != "kind" {
			t.Fatalf("bad kind: %v", err)
		}
		a, err := svc.Liaison.LogActivityAs(ctx, staff, model.LeaderActivity{LeaderID: l.ID, Kind: "调研",
			OnDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil || a.CreatedBy != "wang" {
			t.Fatalf("activity: %+v %v", a, err)
		}
		if _, err := svc.Liaison.ExportMembersAs(ctx, reader); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("read-only exports: %v", err)
		}
		if f, err := svc.Liaison.ExportMembersAs(ctx, staff); err != nil || len(f.Data) == 0 {
			t.Fatalf("export: %v", err)
		}
		for action, want := range map[string]int{"liaison.member.create": 1, "liaison.link": 1, "liaison.contact": 1,
			"liaison.member.bind_code": 1, "liaison.member.deputy": 1, "liaison.leader.create": 1, "liaison.leader.activity": 1,
			"liaison.export": 1} {
			if got := auditCount(t, db, action); got != want {
				t.Errorf("%s: %d audit entries, want %d", action, got, want)
			}
		}
	})
}
