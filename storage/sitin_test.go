package storage_test

import (
	"database/sql"
	"slices"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestSitInTookPartMeansAttendedOrAcceptedUnrecorded(t *testing.T) {
	for _, c := range []struct {
		status   string
		attended sql.NullBool
		want     bool
	}{
		{model.RSVPAttend, sql.NullBool{}, true},
		{model.RSVPAttend, sql.NullBool{Valid: true}, false},
		{model.RSVPPending, sql.NullBool{Valid: true, Bool: true}, true},
		{model.RSVPLeave, sql.NullBool{}, false},
		{model.RSVPPending, sql.NullBool{}, false},
	} {
		if got := (model.SitInRecord{Status: c.status, Attended: c.attended}).TookPart(); got != c.want {
			t.Errorf("%s %+v: %v", c.status, c.attended, got)
		}
	}
}

func TestSitInFactsAndCoverage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		var ids []int64
		for i, del := range []string{"济南市代表团", "济南市代表团", "青岛市代表团", "", "青岛市代表团"} {
			d := model.Deputy{Name: "代表" + string(rune('甲'+i)), Delegation: del, Level: model.LevelProvincial}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		if err := db.TerminateDeputy(ctx, ids[4], time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "辞职"); err != nil {
			t.Fatal(err)
		}
		meeting := func(kind, title string, at time.Time) int64 {
			m := model.Meeting{Kind: kind, Title: title, StartsAt: at, RSVPDeadline: at}
			if err := db.CreateMeeting(ctx, &m); err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		old := meeting("session", "上届", time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC))
		y1 := meeting("session", "2023", time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC))
		y2 := meeting("session", "2024", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
		next := meeting("session", "下次", time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC))
		study := meeting("study", "学习", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
		for _, inv := range []struct {
			m    int64
			ids  []int64
			seen []int64
		}{{old, ids[:1], ids[:1]}, {y1, ids[1:2], ids[1:2]}, {y2, ids[2:4], nil}, {next, ids[:1], nil}, {study, ids[:1], ids[:1]}} {
			if _, err := db.Invite(ctx, inv.m, inv.ids); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SetAttendance(ctx, inv.m, inv.seen, nil); err != nil {
				t.Fatal(err)
			}
		}
		// Accepted in 2024 with no attendance recorded: counts.
		if err := db.AnswerInvitation(ctx, y2, ids[2], model.RSVPAttend, "", "wechat"); err != nil {
			t.Fatal(err)
		}

		cands, err := db.SitInCandidates(ctx, next)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, d := range cands {
			got = append(got, d.ID)
		}
		if want := ids[1:4]; !slices.Equal(got, want) {
			t.Fatalf("candidates %v, want %v (in office, not invited)", got, want)
		}
		hist, err := db.SitInHistory(ctx, []string{"session"})
		if err != nil || len(hist) != 5 || hist[0].DeputyID != ids[0] || hist[0].MeetingID != next || hist[1].MeetingID != old {
			t.Fatalf("history %+v %v", hist, err)
		}

		rows, err := db.SitInCoverage(ctx, "session", time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(rows, func(a, b model.SitInCoverageRow) int { return len(a.Delegation) - len(b.Delegation) })
		want := []model.SitInCoverageRow{
			{Delegation: "", InOffice: 1, InTerm: 0, InYear: 0},
			{Delegation: "济南市代表团", InOffice: 2, InTerm: 1, InYear: 0},
			{Delegation: "青岛市代表团", InOffice: 1, InTerm: 1, InYear: 1},
		}
		if !slices.Equal(rows, want) {
			t.Fatalf("coverage %+v, want %+v", rows, want)
		}
	})
}

func TestSitInSuggestionsMentioningEscapesLikeCharacters(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		d := model.Deputy{Name: "王芳", Level: model.LevelProvincial}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		for i, title := range []string{"覆盖率提高到50%", "覆盖率500户", "关于教育的建议"} {
			s := model.Suggestion{Number: string(rune('a' + i)), Title: title, LeadDeputyID: d.ID}
			if err := db.CreateSuggestion(ctx, &s, nil); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.SuggestionsMentioning(ctx, []string{"50%", " "})
		if err != nil || len(got) != 1 || got[0].Title != "覆盖率提高到50%" || got[0].DeputyID != d.ID {
			t.Fatalf("%+v %v", got, err)
		}
		if got, err := db.SuggestionsMentioning(ctx, nil); err != nil || got != nil {
			t.Fatalf("no topics: %+v %v", got, err)
		}
	})
}
