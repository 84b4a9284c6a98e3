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

// TestLiaisonDigestOnAFixture checks a member's digest against figures
// counted by hand on a fixed fixture.
func TestLiaisonDigestOnAFixture(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC)
		clock := now.AddDate(0, 0, -30)
		db.SetClock(func() time.Time { return clock })
		svc := core.NewLiaison(db)
		svc.SetClock(func() time.Time { return now })

		var ids []int64
		for i := 1; i <= 6; i++ {
			d := model.Deputy{Name: fmt.Sprintf("代表%d", i), Level: model.LevelProvincial, Delegation: "济南市代表团"}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		editor := staffActor(model.RoleStaff)
		m, err := svc.CreateMemberAs(ctx, editor, model.CommitteeMember{Name: " 李委员 ", Title: "常委会委员"}, 0)
		if err != nil || m.Name != "李委员" {
			t.Fatalf("%+v %v", m, err)
		}
		var ve core.ValidationError
		if _, err := svc.CreateMemberAs(ctx, editor, model.CommitteeMember{}, 0); !errors.As(err, &ve) {
			t.Fatalf("no name: %v", err)
		}

		// Four deputies: allowed, flagged; then five: within.
		if _, w, err := svc.LinkAs(ctx, editor, m.ID, ids[:4]); err != nil || w == "" {
			t.Fatalf("four: %q %v", w, err)
		}
		if _, w, err := svc.LinkAs(ctx, editor, m.ID, append(ids[:5:5], ids[0])); err != nil || w != "" {
			t.Fatalf("five: %q %v", w, err)
		}
		if _, _, err := svc.LinkAs(ctx, editor, 9999, ids[:5]); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("missing member: %v", err)
		}

		// 代表1: invited to an open meeting (pending) and a past one.
		open := model.Meeting{Kind: "inspection", Title: "视察", Place: "济南", StartsAt: now.AddDate(0, 0, 10), RSVPDeadline: now.AddDate(0, 0, 5)}
		past := model.Meeting{Kind: "inspection", Title: "旧视察", Place: "济南", StartsAt: now.AddDate(0, 0, -3), RSVPDeadline: now.AddDate(0, 0, -5)}
		for _, mt := range []*model.Meeting{&open, &past} {
			if err := db.CreateMeeting(ctx, mt); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Invite(ctx, mt.ID, ids[:2]); err != nil {
				t.Fatal(err)
			}
		}
		// 代表2 leads a suggestion answered and not rated (created 30 days ago), 代表3 one created 2 days ago.
		old := model.Suggestion{Number: "第0001号", Title: "旧建议", LeadDeputyID: ids[1], HostUnit: "省交通运输厅"}
		if err := db.CreateSuggestion(ctx, &old, []int64{ids[5]}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE suggestions SET replied_at = ? WHERE id = ?`, now.AddDate(0, 0, -1), old.ID); err != nil {
			t.Fatal(err)
		}
		clock = now.AddDate(0, 0, -2)
		fresh := model.Suggestion{Number: "第0002号", Title: "新建议", LeadDeputyID: ids[2], HostUnit: "省教育厅"}
		if err := db.CreateSuggestion(ctx, &fresh, nil); err != nil {
			t.Fatal(err)
		}
		// 代表3: an opinion 2 days ago; 代表4: one 10 days ago (not new).
		if err := db.CreateOpinion(ctx, &model.Opinion{DeputyID: ids[2], Category: model.OpinionSocial, Body: "新"}); err != nil {
			t.Fatal(err)
		}
		clock = now.AddDate(0, 0, -10)
		if err := db.CreateOpinion(ctx, &model.Opinion{DeputyID: ids[3], Category: model.OpinionSocial, Body: "旧"}); err != nil {
			t.Fatal(err)
		}
		// Contacts: 代表1 this year, 代表2 last year only.
		clock = now
		c := model.MemberContact{MemberID: m.ID, DeputyID: ids[0], Kind: "电话", OnDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
		if _, err := svc.LogContactAs(ctx, editor, c); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.LogContactAs(ctx, editor, model.MemberContact{MemberID: m.ID, DeputyID: ids[1], Kind: "见面走访",
			OnDate: time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		for name, bad := range map[string]model.MemberContact{
			"kind":       {MemberID: m.ID, DeputyID: ids[0], Kind: "短信", OnDate: now},
			"future":     {MemberID: m.ID, DeputyID: ids[0], Kind: "电话", OnDate: now.AddDate(0, 0, 2)},
			"not linked": {MemberID: m.ID, DeputyID: ids[5], Kind: "电话", OnDate: now},
		} {
			if _, err := svc.LogContactAs(ctx, editor, bad); !errors.As(err, &ve) {
				t.Errorf("%s: %v", name, err)
			}
		}
		cs, err := db.MemberContacts(ctx, m.ID)
		if err != nil || len(cs) != 2 || cs[0].DeputyName != "代表1" || !cs[0].OnDate.Equal(c.OnDate) {
			t.Fatalf("contacts %+v %v", cs, err)
		}

		d, err := svc.Digest(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][5]int{ // open RSVPs, unrated, new opinions, new suggestions, contacts this year
			"代表1": {1, 0, 0, 0, 1}, "代表2": {1, 1, 0, 0, 0}, "代表3": {0, 0, 1, 1, 0},
			"代表4": {0, 0, 0, 0, 0}, "代表5": {0, 0, 0, 0, 0},
		}
		if len(d.Rows) != 5 || d.Warning != "" || d.Member.Deputies != 5 {
			t.Fatalf("digest %+v", d)
		}
		for _, r := range d.Rows {
			got := [5]int{r.OpenRSVPs, r.UnratedReplies, r.NewOpinions, r.NewSuggestions, r.ContactsYear}
			if got != want[r.Name] {
				t.Errorf("%s: %v, want %v", r.Name, got, want[r.Name])
			}
		}
		if d.OpenRSVPs != 2 || d.UnratedReplies != 1 || d.NewOpinions != 1 || d.NewSuggestions != 1 ||
			fmt.Sprint(d.NotThisYear) != "[代表2 代表3 代表4 代表5]" {
			t.Errorf("totals %+v", d)
		}
	})
}
