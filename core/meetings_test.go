package core_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// The meeting, sit-in and record actions through their one door: each
// success writes exactly one audit entry, naming the actor and the surface;
// each refusal writes none and changes nothing.

// meetingWorld is two deputies in office, a session and a research meeting
// whose RSVPs are open, and a clock.
type meetingWorld struct {
	db              *storage.DB
	svc             *core.Services
	now             time.Time
	a, b            model.Deputy
	session, survey model.Meeting
}

func newMeetingWorld(t *testing.T, db *storage.DB) *meetingWorld {
	t.Helper()
	ctx := t.Context()
	w := &meetingWorld{db: db, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return w.now }
	db.SetClock(clock)
	w.svc = core.New(db, core.Options{Now: clock})
	for i, p := range []*model.Deputy{&w.a, &w.b} {
		*p = model.Deputy{Name: fmt.Sprintf("代表%d", i+1), Delegation: "济南市代表团", Level: model.LevelProvincial,
			Phone: fmt.Sprintf("1380000000%d", i+1), OpenID: fmt.Sprintf("o-m-%d", i+1)}
		if err := db.CreateDeputy(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []*model.Meeting{&w.session, &w.survey} {
		*m = model.Meeting{Kind: model.MeetingSession, Title: "常委会第二十次会议", StartsAt: w.now.Add(10 * 24 * time.Hour),
			RSVPDeadline: w.now.Add(7 * 24 * time.Hour), Place: "济南"}
		if m == &w.survey {
			m.Kind, m.Title = model.MeetingResearch, "乡村振兴专题调研"
		}
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

var admin = core.CLIActor(model.Account{}, "test")

func staffActor(role string) core.Actor {
	return core.StaffActor(model.Account{ID: 7, Username: "u-" + role, Name: "工作人员", Role: role}, core.ViaConsole)
}

// state is everything the actions may change, to compare before and after
// a refusal.
func (w *meetingWorld) state(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT COUNT(*) FROM meetings`,
		`SELECT COUNT(*) FROM deliveries`,
		`SELECT COUNT(*) FROM pending_asks`,
		`SELECT COUNT(*) FROM audit_log`,
		`SELECT COALESCE(SUM(CASE WHEN attended = 1 THEN 1 WHEN attended = 0 THEN 10 ELSE 100 END), 0) FROM invitations`,
		`SELECT COUNT(*) FROM invitations WHERE status <> 'pending'`,
		`SELECT COUNT(*) FROM record_entries`,
		`SELECT COUNT(*) FROM record_entries WHERE status <> 'pending'`,
		`SELECT COUNT(*) FROM kv WHERE k = 'record_rules'`,
	} {
		var n int
		if err := w.db.SQL().QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		fmt.Fprintf(&b, "%d ", n)
	}
	return b.String()
}

// audits lists the audit entries, newest first.
func (w *meetingWorld) audits(t *testing.T) []model.AuditEntry {
	t.Helper()
	es, _, err := w.db.ListAudit(t.Context(), model.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestMeetingActionsAuditEachChangeOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newMeetingWorld(t, db)
		ctx := t.Context()
		m := w.svc.Meetings
		deputyA := core.DeputyActor(w.a, core.ViaWeChat)
		var entry model.RecordEntry
		// started runs f an hour after the session starts.
		started := func(f func() error) func() error {
			return func() error {
				saved := w.now
				w.now = w.session.StartsAt.Add(time.Hour)
				defer func() { w.now = saved }()
				return f()
			}
		}

		steps := []struct {
			name   string
			act    func() error
			action string // the audit entry a success writes; "" for a refusal
			via    string
			check  func(t *testing.T, err error)
		}{
			{"a meeting with bad fields is refused on each key", func() error {
				_, err := m.Create(ctx, admin, core.MeetingInput{Kind: "party", StartsAt: "下周一", EndsAt: "2026-03-01 09:00",
					RSVPDeadline: "2026-05-01 09:00", Place: strings.Repeat("地", 101)})
				return err
			}, "", "", func(t *testing.T, err error) {
				errs, _ := core.Fields(err)
				keys := map[string]bool{}
				for _, e := range errs {
					keys[e.Key] = true
				}
				for _, k := range []string{"kind", "title", "starts_at", "place"} {
					if !keys[k] {
						t.Errorf("no problem on %s: %v", k, err)
					}
				}
			}},
			{"a read-only account may not create a meeting", func() error {
				_, err := m.Create(ctx, staffActor(model.RoleReadonly), core.MeetingInput{Kind: "study", Title: "学习班", StartsAt: "2026-04-01 09:00"})
				return err
			}, "", "", wantKind(model.ErrForbidden)},
			{"a meeting is created", func() error {
				mt, err := m.Create(ctx, staffActor(model.RoleStaff), core.MeetingInput{Kind: "study", Title: " 学习班 ", StartsAt: "2026-04-01T09:00",
					Place: "济南"})
				if err == nil && (mt.Title != "学习班" || !mt.RSVPDeadline.Equal(mt.StartsAt)) {
					t.Errorf("created %+v", mt)
				}
				return err
			}, "meeting.create", core.ViaConsole, nil},
			{"inviting no one is refused", func() error {
				_, err := m.Invite(ctx, admin, w.session.ID, model.Audience{})
				return err
			}, "", "", wantField("audience")},
			{"a meeting's own invitees cannot be invited to it", func() error {
				_, err := m.Invite(ctx, admin, w.session.ID, model.Audience{MeetingID: w.session.ID})
				return err
			}, "", "", wantField("meeting_id")},
			{"unknown deputies are refused", func() error {
				_, err := m.Invite(ctx, admin, w.session.ID, model.Audience{DeputyIDs: []int64{w.a.ID, 9999}})
				return err
			}, "", "", wantField("deputy_ids")},
			{"the audience is invited with its notices and asks", func() error {
				done, err := m.Invite(ctx, admin, w.session.ID, model.Audience{Delegations: []string{"济南市代表团"}})
				if err == nil && (done.Invited != 2 || done.AlreadyInvited != 0) {
					t.Errorf("invited %+v", done)
				}
				return err
			}, "meeting.invite", core.ViaCLI, nil},
			{"a leave without a reason is refused", func() error {
				_, err := m.RSVP(ctx, deputyA, w.session.ID, model.RSVPLeave, "  ")
				return err
			}, "", "", wantField("reason")},
			{"staff may not answer for a deputy", func() error {
				_, err := m.RSVP(ctx, admin, w.session.ID, model.RSVPAttend, "")
				return err
			}, "", "", wantKind(model.ErrForbidden)},
			{"a deputy not invited cannot answer", func() error {
				_, err := m.RSVP(ctx, deputyA, w.survey.ID, model.RSVPAttend, "")
				return err
			}, "", "", wantKind(model.ErrNotFound)},
			{"a deputy answers in the chat", func() error {
				inv, err := m.RSVP(ctx, deputyA, w.session.ID, model.RSVPAttend, "")
				if err == nil && (inv.Status != model.RSVPAttend || inv.Channel != core.ViaWeChat) {
					t.Errorf("answered %+v", inv)
				}
				return err
			}, "meeting.rsvp", core.ViaWeChat, nil},
			{"attendance before the meeting starts is refused", func() error {
				_, err := m.RecordAttendance(ctx, admin, w.session.ID, core.Attendance{Present: []int64{w.a.ID}})
				return err
			}, "", "", wantField("attended")},
			{"attendance naming an uninvited deputy is refused", started(func() error {
				_, err := m.RecordAttendance(ctx, admin, w.session.ID, core.Attendance{Present: []int64{w.a.ID}, Absent: []int64{9999}})
				return err
			}), "", "", wantField("attended")},
			{"attendance naming no one is refused", started(func() error {
				_, err := m.RecordAttendance(ctx, admin, w.session.ID, core.Attendance{})
				return err
			}), "", "", wantField("attended")},
			{"attendance marking nobody present asks to confirm", started(func() error {
				_, err := m.RecordAttendance(ctx, admin, w.session.ID, core.Attendance{Absent: []int64{w.a.ID, w.b.ID}})
				return err
			}), "", "", wantField("none_attended")},
			{"attendance marking nobody present is recorded once confirmed", started(func() error {
				fixed, err := m.RecordAttendance(ctx, admin, w.session.ID, core.Attendance{Absent: []int64{w.a.ID, w.b.ID}, NoneAttended: true})
				if err == nil && len(fixed) != 0 {
					t.Errorf("a first sign-in corrected %q", fixed)
				}
				return err
			}), "meeting.attendance", core.ViaCLI, nil},
			{"attendance is corrected and the correction named", started(func() error {
				fixed, err := m.RecordAttendance(ctx, admin, w.session.ID, core.Attendance{Present: []int64{w.a.ID}, Absent: []int64{w.b.ID}})
				if err == nil && strings.Join(fixed, "") != "代表1 缺席→到会" {
					t.Errorf("corrections %q", fixed)
				}
				if es := w.audits(t); err == nil && !strings.Contains(es[0].Summary, "更正 1 位：代表1 缺席→到会") {
					t.Errorf("the audit entry says %q", es[0].Summary)
				}
				return err
			}), "meeting.attendance", core.ViaCLI, nil},
			{"the ones who have not answered are reminded", func() error {
				n, err := m.Remind(ctx, staffActor(model.RoleAdmin), w.session.ID)
				if err == nil && n != 1 {
					t.Errorf("reminded %d, want 1", n)
				}
				return err
			}, "meeting.remind", core.ViaConsole, nil},
			{"the sign-in sheet is exported", func() error {
				f, err := m.SignInSheet(ctx, admin, w.session.ID)
				if err == nil && (len(f.Data) == 0 || !strings.HasPrefix(f.Name, "签到表-")) {
					t.Errorf("file %q, %d bytes", f.Name, len(f.Data))
				}
				return err
			}, "meeting.export", core.ViaCLI, nil},
			{"the meeting list is exported", func() error {
				_, err := m.ExportList(ctx, admin, model.MeetingFilter{})
				return err
			}, "meeting.export", core.ViaCLI, nil},
			{"a research meeting gets no sit-in proposal", func() error {
				_, err := w.svc.SitIn.Invite(ctx, admin, w.survey.ID, []int64{w.a.ID}, "教育")
				return err
			}, "", "", wantField("kind")},
			{"deputies already invited cannot be chosen again", func() error {
				_, err := w.svc.SitIn.Invite(ctx, admin, w.session.ID, []int64{w.a.ID}, "教育")
				return err
			}, "", "", wantField("deputy_id")},
			{"a self-report with a future day is refused", func() error {
				_, err := w.svc.Records.SubmitEntry(ctx, deputyA, model.RecordEntry{Category: model.EntryContact,
					HappenedOn: w.now.AddDate(0, 0, 3), Description: "走访选民"})
				return err
			}, "", "", wantField("happened_on")},
			{"a deputy reports an activity", func() error {
				var err error
				entry, err = w.svc.Records.SubmitEntry(ctx, deputyA, model.RecordEntry{Category: model.EntryContact,
					HappenedOn: w.now.AddDate(0, 0, -1), Description: "走访选民"})
				if err == nil && (entry.Status != model.EntryPending || entry.Channel != core.ViaWeChat) {
					t.Errorf("stored %+v", entry)
				}
				return err
			}, "record.submit", core.ViaWeChat, nil},
			{"a rejection needs a note", func() error {
				_, err := w.svc.Records.Review(ctx, admin, entry.ID, core.ReviewReject, "")
				return err
			}, "", "", wantField("note")},
			{"a decision must be one", func() error {
				_, err := w.svc.Records.Review(ctx, admin, entry.ID, "maybe", "")
				return err
			}, "", "", wantField("decision")},
			{"a self-report is approved", func() error {
				e, err := w.svc.Records.Review(ctx, staffActor(model.RoleStaff), entry.ID, core.ReviewApprove, "")
				if err == nil && (e.Status != model.EntryApproved || e.ReviewedBy != "工作人员") {
					t.Errorf("reviewed %+v", e)
				}
				return err
			}, "record.review", core.ViaConsole, nil},
			{"a self-report is not reviewed twice", func() error {
				_, err := w.svc.Records.Review(ctx, admin, entry.ID, core.ReviewReject, "重复")
				return err
			}, "", "", wantKind(model.ErrConflict)},
			{"staff may not change the points", func() error {
				_, err := w.svc.Records.SetRules(ctx, staffActor(model.RoleStaff), map[string]string{model.RecOpinion: "3"})
				return err
			}, "", "", wantKind(model.ErrForbidden)},
			{"points out of range are refused", func() error {
				_, err := w.svc.Records.SetRules(ctx, admin, map[string]string{model.RecOpinion: "3", model.RecStudy: "101"})
				return err
			}, "", "", wantField("rules.study")},
			{"the points change", func() error {
				changes, err := w.svc.Records.SetRules(ctx, admin, map[string]string{model.RecOpinion: "3"})
				if err == nil && strings.Join(changes, "") != "提出意见建议 1→3" {
					t.Errorf("changes %q", changes)
				}
				return err
			}, "record.rules", core.ViaCLI, nil},
			{"the points go back to the defaults", func() error {
				_, err := w.svc.Records.ResetRules(ctx, admin)
				return err
			}, "record.rules", core.ViaCLI, nil},
			{"a deputy's annual report is exported", func() error {
				_, err := w.svc.Records.ExportReport(ctx, staffActor(model.RoleStaff), core.ReportTarget{DeputyID: w.a.ID}, 2026)
				return err
			}, "record.export", core.ViaConsole, nil},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				before, n := w.state(t), len(w.audits(t))
				err := st.act()
				if st.check != nil {
					st.check(t, err)
				}
				got := w.audits(t)
				if st.action == "" {
					if err == nil {
						t.Fatal("accepted")
					}
					if after := w.state(t); after != before {
						t.Fatalf("a refusal changed %s to %s", before, after)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != n+1 || got[0].Action != st.action || got[0].Via != st.via {
					t.Fatalf("%d new audit entries, the latest %+v; want one %s via %s", len(got)-n, got[0], st.action, st.via)
				}
			})
		}
		if got := w.audits(t); !strings.Contains(auditNames(got), "代表 代表1") {
			t.Errorf("the deputy is not named in the audit log: %s", auditNames(got))
		}
	})
}

func auditNames(es []model.AuditEntry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.StaffName)
	}
	return strings.Join(out, "、")
}

func wantField(key string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		errs, ok := core.Fields(err)
		if !ok {
			t.Fatalf("got %v, want a problem on %s", err, key)
		}
		for _, e := range errs {
			if e.Key == key {
				return
			}
		}
		t.Fatalf("got %v, want a problem on %s", err, key)
	}
}

func wantKind(kind error) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, kind) || core.Message(err) == "" {
			t.Fatalf("got %v, want %v with a sentence", err, kind)
		}
	}
}

func TestAnRSVPAfterTheDeadlineOrAReminderIsRefused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newMeetingWorld(t, db)
		ctx := t.Context()
		if _, err := w.svc.Meetings.Invite(ctx, admin, w.session.ID, model.Audience{DeputyIDs: []int64{w.a.ID}}); err != nil {
			t.Fatal(err)
		}
		w.now = w.session.RSVPDeadline.Add(time.Minute)
		before := w.state(t)
		if _, err := w.svc.Meetings.RSVP(ctx, core.DeputyActor(w.a, core.ViaH5), w.session.ID, model.RSVPAttend, ""); !errors.Is(err, core.ErrRSVPClosed) || !errors.Is(err, model.ErrConflict) {
			t.Fatalf("a late answer: %v", err)
		}
		if _, err := w.svc.Meetings.Remind(ctx, admin, w.session.ID); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("a late reminder: %v", err)
		}
		if after := w.state(t); after != before {
			t.Fatalf("late actions changed %s to %s", before, after)
		}
	})
}

func TestAFailedAuditUndoesTheChange(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newMeetingWorld(t, db)
		ctx := context.Background()
		if _, err := db.SQL().Exec(`DROP TABLE audit_log`); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Meetings.Create(ctx, admin, core.MeetingInput{Kind: "study", Title: "学习班", StartsAt: "2026-04-01 09:00"}); err == nil {
			t.Fatal("created without an audit entry")
		}
		if _, err := w.svc.Meetings.Invite(ctx, admin, w.session.ID, model.Audience{All: true}); err == nil {
			t.Fatal("invited without an audit entry")
		}
		var meetings, invitations int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM meetings`).Scan(&meetings); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM invitations`).Scan(&invitations); err != nil && !errors.Is(err, sql.ErrNoRows) {
			t.Fatal(err)
		}
		if meetings != 2 || invitations != 0 {
			t.Fatalf("%d meetings, %d invitations after failed audits; want 2 and 0", meetings, invitations)
		}
	})
}
