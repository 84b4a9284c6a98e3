package core

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

var cst = time.FixedZone("CST", 8*60*60)

// recordFixture is a year of three deputies' work, 2026 in Beijing time.
type recordFixture struct {
	rec             *Records
	db              *storage.DB
	a, b, c         model.Deputy
	pending, reject int64 // A's self-reports awaiting review / to reject
	now             *time.Time
}

// newRecordFixture builds the fixture whose figures the tests check by hand:
//
//	A (济南): sat in on the session (3), research (2), an inspection at
//	  00:30 on 1 January Beijing time (2), answered one invitation (0),
//	  studied 2 materials (2), 1 opinion (1), leads a suggestion (3), rated
//	  it (1), 1 approved self-report (2), one pending, one to be rejected,
//	  plus last year's study and an attendance at a 2027 meeting that do not
//	  count: 10 events, 16 points.
//	B (济南): invited to the session but absent (recorded), seconds A's
//	  suggestion (1): 1 event, 1 point.
//	C (青岛): 1 opinion: not in 济南's report.
func newRecordFixture(t *testing.T, db *storage.DB) *recordFixture {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, cst)
	f := &recordFixture{db: db, now: &now}
	clock := func() time.Time { return *f.now }
	db.SetClock(clock)
	at := func(s string) {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		*f.now = tm
	}
	mk := func(name, delegation string) model.Deputy {
		d := model.Deputy{Name: name, Delegation: delegation, Level: model.LevelProvincial}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	f.a, f.b, f.c = mk("甲代表", "济南市代表团"), mk("乙代表", "济南市代表团"), mk("丙代表", "青岛市代表团")
	meeting := func(kind, starts string, invited []int64, present, absent []int64) int64 {
		st, _ := time.ParseInLocation("2006-01-02 15:04", starts, cst)
		m := model.Meeting{Kind: kind, Title: model.MeetingKindLabel(kind) + starts, StartsAt: st, RSVPDeadline: st, Place: "济南"}
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Invite(ctx, m.ID, invited); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetAttendance(ctx, m.ID, present, absent); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	a, b := f.a.ID, f.b.ID
	at("2026-03-01 09:00")
	session := meeting("session", "2026-03-10 09:00", []int64{a, b}, []int64{a}, []int64{b})
	if err := db.AnswerInvitation(ctx, session, a, model.RSVPAttend, "", "wechat"); err != nil {
		t.Fatal(err)
	}
	meeting("research", "2026-04-01 09:00", []int64{a}, []int64{a}, nil)
	meeting("inspection", "2026-01-01 00:30", []int64{a}, []int64{a}, nil)
	meeting("inspection", "2027-01-01 08:30", []int64{a}, []int64{a}, nil) // next year

	study := func(when string) {
		at(when)
		m := model.Material{Title: "学习材料 " + when, PublishedAt: f.now.Add(-time.Hour)}
		if err := db.CreateMaterial(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MarkStudied(ctx, m.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	study("2025-12-31 23:00") // last year in Beijing time
	study("2026-02-01 10:00")
	study("2026-05-01 10:00")

	at("2026-05-02 10:00")
	ops := NewOpinions(db)
	ops.SetClock(clock)
	for _, d := range []int64{a, f.c.ID} {
		if _, err := ops.Submit(ctx, d, model.Opinion{Category: model.OpinionSocial, Body: "农村道路养护"}); err != nil {
			t.Fatal(err)
		}
	}
	at("2026-01-20 10:00")
	s := model.Suggestion{Number: "第0001号", Title: "关于加强农村道路养护的建议", LeadDeputyID: a, HostUnit: "省交通运输厅"}
	if err := db.CreateSuggestion(ctx, &s, []int64{b}); err != nil {
		t.Fatal(err)
	}
	at("2026-06-01 10:00")
	if err := db.UpsertRating(ctx, &model.SuggestionRating{SuggestionID: s.ID, DeputyID: a, Contact: model.ContactFace,
		Attitude: model.RatingSatisfied, Result: model.RatingSatisfied, RatedAt: *f.now}, nil); err != nil {
		t.Fatal(err)
	}

	at("2026-06-15 10:00")
	f.rec = New(db, Options{Now: clock, Loc: cst}).Records
	author := DeputyActor(f.a, ViaWeChat)
	entry := func(day, desc string) int64 {
		d, _ := time.Parse(time.DateOnly, day)
		e, err := f.rec.SubmitEntry(ctx, author, model.RecordEntry{Category: model.EntryContact, HappenedOn: d, Place: "历城区", Description: desc})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	approved := entry("2026-06-10", "走访选民")
	f.pending = entry("2026-06-11", "接待群众")
	f.reject = entry("2026-06-12", "参加座谈")
	if _, err := f.rec.Review(ctx, testStaff, approved, ReviewApprove, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rec.Review(ctx, testStaff, f.reject, ReviewReject, "无活动材料"); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRecordTotalsMatchHandComputedFigures(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newRecordFixture(t, db)

		t.Run("a deputy's year counts each type with its default points", func(t *testing.T) {
			got, err := f.rec.Totals(ctx, testStaff, f.a.ID, 2026)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][2]int{
				model.RecAttendSession: {1, 3}, model.RecAttendResearch: {1, 2}, model.RecAttendInspection: {1, 2}, model.RecRSVP: {1, 0},
				model.RecStudy: {2, 2}, model.RecOpinion: {1, 1}, model.RecSuggestionLead: {1, 3}, model.RecSuggestionSecond: {0, 0},
				model.RecRating: {1, 1}, model.RecSelfReport: {1, 2}, model.RecAttendStation: {0, 0},
			}
			for typ, w := range want {
				if l := got.Line(typ); l.Count != w[0] || l.Points != w[1] {
					t.Errorf("%s: %d events, %d points; want %v", typ, l.Count, l.Points, w)
				}
			}
			if got.Count != 10 || got.Points != 16 || got.Pending != 1 || got.Rejected != 1 || got.Attended() != 3 {
				t.Fatalf("totals %d events %d points, %d pending %d rejected, %d attended; want 10, 16, 1, 1, 3",
					got.Count, got.Points, got.Pending, got.Rejected, got.Attended())
			}
		})

		t.Run("the timeline is in date order and keeps the year in Beijing time", func(t *testing.T) {
			rep, err := f.rec.Report(ctx, testStaff, f.a.ID, 2026)
			if err != nil {
				t.Fatal(err)
			}
			tl := rep.Timeline
			if len(tl) != 10 {
				t.Fatalf("%d events, want 10: %+v", len(tl), tl)
			}
			if tl[0].Type != model.RecAttendInspection || tl[0].At.Format("2006-01-02 15:04") != "2026-01-01 00:30" {
				t.Fatalf("first event %+v, want the New Year's inspection", tl[0])
			}
			for i := 1; i < len(tl); i++ {
				if tl[i].At.Before(tl[i-1].At) {
					t.Fatalf("event %d (%s) before event %d (%s)", i, tl[i].At, i-1, tl[i-1].At)
				}
			}
			last := tl[len(tl)-1]
			if last.Type != model.RecSelfReport || !last.DateOnly || last.At.Format(time.DateOnly) != "2026-06-10" || last.Detail != "联系群众" {
				t.Fatalf("last event %+v, want the approved self-report of 10 June", last)
			}
			prev, _ := f.rec.Totals(ctx, testStaff, f.a.ID, 2025)
			if prev.Count != 1 || prev.Line(model.RecStudy).Count != 1 {
				t.Fatalf("2025 has %+v, want the one study of New Year's Eve", prev)
			}
		})

		t.Run("a pending self-report counts once approved, a rejected one never", func(t *testing.T) {
			if _, err := f.rec.Review(ctx, testStaff, f.pending, ReviewApprove, "核实无误"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.rec.Review(ctx, testStaff, f.reject, ReviewApprove, ""); !errors.Is(err, model.ErrConflict) {
				t.Fatalf("approving a rejected entry gave %v, want ErrConflict", err)
			}
			got, _ := f.rec.Totals(ctx, testStaff, f.a.ID, 2026)
			if got.Points != 18 || got.Line(model.RecSelfReport).Count != 2 || got.Pending != 0 || got.Rejected != 1 {
				t.Fatalf("after approval: %d points, %d self-reports, %d pending, %d rejected; want 18, 2, 0, 1",
					got.Points, got.Line(model.RecSelfReport).Count, got.Pending, got.Rejected)
			}
		})

		t.Run("configured rules change the points", func(t *testing.T) {
			if _, err := f.rec.SetRules(ctx, testStaff, map[string]string{model.RecOpinion: "5", model.RecRSVP: "1"}); err != nil {
				t.Fatal(err)
			}
			defer f.rec.ResetRules(ctx, testStaff) //nolint:errcheck
			got, _ := f.rec.Totals(ctx, testStaff, f.a.ID, 2026)
			if got.Points != 18+4+1 || got.Line(model.RecOpinion).Points != 5 {
				t.Fatalf("%d points (opinion %d), want 23 (5)", got.Points, got.Line(model.RecOpinion).Points)
			}
			var verr ValidationError
			if _, err := f.rec.SetRules(ctx, testStaff, map[string]string{"nonsense": "1", model.RecStudy: "-1"}); !errors.As(err, &verr) || len(verr) != 2 {
				t.Fatalf("bad rules gave %v", err)
			}
		})

		t.Run("the delegation report lists its deputies by points and sums them", func(t *testing.T) {
			rep, err := f.rec.DelegationReport(ctx, testStaff, "济南市代表团", 2026)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Deputies) != 2 || rep.Deputies[0].DeputyID != f.a.ID || rep.Deputies[1].DeputyID != f.b.ID {
				t.Fatalf("deputies %+v", rep.Deputies)
			}
			if b := rep.Deputies[1]; b.Count != 1 || b.Points != 1 || b.Line(model.RecSuggestionSecond).Count != 1 || b.Attended() != 0 {
				t.Fatalf("乙 %+v, want 1 event, 1 point", b)
			}
			if rep.Sum.Count != 12 || rep.Sum.Points != 19 {
				t.Fatalf("sum %d events %d points, want 12 and 19", rep.Sum.Count, rep.Sum.Points)
			}
			if _, err := f.rec.DelegationReport(ctx, testStaff, "无此代表团", 2026); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("unknown delegation gave %v", err)
			}
		})

		t.Run("the annual report exports to a workbook", func(t *testing.T) {
			rep, err := f.rec.Report(ctx, testStaff, f.a.ID, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Entries) != 3 || rep.Totals.Points != 18 {
				t.Fatalf("report: %d entries, %d points", len(rep.Entries), rep.Totals.Points)
			}
			var buf bytes.Buffer
			if err := WriteReportXLSX(&buf, rep); err != nil {
				t.Fatal(err)
			}
			x, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := x.GetRows("履职明细")
			if len(rows) != 12 {
				t.Fatalf("%d detail rows, want a header and 11 events", len(rows))
			}
			buf.Reset()
			del, _ := f.rec.DelegationReport(ctx, testStaff, "济南市代表团", 2026)
			if err := WriteDelegationXLSX(&buf, del); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestRecordEntryValidation(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := context.Background()
	d := model.Deputy{Name: "登记代表", Level: model.LevelProvincial}
	if err := db.CreateDeputy(ctx, &d); err != nil {
		t.Fatal(err)
	}
	rec := New(db, Options{Now: func() time.Time { return time.Date(2026, 6, 15, 10, 0, 0, 0, cst) }, Loc: cst}).Records
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	long := string(bytes.Repeat([]byte("字"), 101))
	tests := []struct {
		name string
		e    model.RecordEntry
		bad  string
	}{
		{"a complete entry is accepted", model.RecordEntry{Category: model.EntryResearch, HappenedOn: day("2026-06-15"), Description: "调研"}, ""},
		{"an unknown category is refused", model.RecordEntry{Category: "x", HappenedOn: day("2026-06-01"), Description: "调研"}, "类别"},
		{"a day in the future is refused", model.RecordEntry{Category: model.EntryOther, HappenedOn: day("2026-06-16"), Description: "调研"}, "日期"},
		{"a day two years back is refused", model.RecordEntry{Category: model.EntryOther, HappenedOn: day("2024-12-31"), Description: "调研"}, "日期"},
		{"an empty description is refused", model.RecordEntry{Category: model.EntryOther, HappenedOn: day("2026-06-01")}, "内容"},
		{"a description over 100 characters is refused", model.RecordEntry{Category: model.EntryOther, HappenedOn: day("2026-06-01"), Description: string([]rune(long))}, "内容"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rec.SubmitEntry(ctx, DeputyActor(d, ViaWeChat), tc.e)
			var verr ValidationError
			switch {
			case tc.bad == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.bad != "" && (!errors.As(err, &verr) || verr[0].Label != tc.bad):
				t.Fatalf("gave %v, want a problem with %s", err, tc.bad)
			}
		})
	}
	if _, err := rec.Review(ctx, testStaff, 1, ReviewReject, " "); err == nil {
		t.Fatal("a rejection without a note was accepted")
	}
}
