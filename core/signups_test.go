package core_test

import (
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

// signupWorld is a meeting world with a third deputy in office and one
// whose term has ended.
type signupWorld struct {
	*meetingWorld
	c, ended model.Deputy
}

func newSignupWorld(t *testing.T, db *storage.DB) *signupWorld {
	t.Helper()
	w := &signupWorld{meetingWorld: newMeetingWorld(t, db)}
	t.Cleanup(func() { checkKeptCounts(t, db, t.Name()) })
	for i, p := range []*model.Deputy{&w.c, &w.ended} {
		*p = model.Deputy{Name: fmt.Sprintf("代表%d", i+3), Delegation: "青岛市代表团", Level: model.LevelProvincial,
			Phone: fmt.Sprintf("1380000001%d", i), OpenID: fmt.Sprintf("o-m-%d", i+3)}
		if err := db.CreateDeputy(t.Context(), p); err != nil {
			t.Fatal(err)
		}
	}
	day := w.now.AddDate(0, 0, -1)
	w.ended.Status, w.ended.TerminatedOn, w.ended.TerminationReason = model.StatusEnded, &day, "调离"
	if err := db.UpdateDeputy(t.Context(), &w.ended); err != nil {
		t.Fatal(err)
	}
	return w
}

// state adds the sign-ups to the meeting world's state.
func (w *signupWorld) state(t *testing.T) string {
	t.Helper()
	return w.meetingWorld.state(t) + fmt.Sprintf("%d %d %d", w.count(t, `SELECT COUNT(*) FROM signup_windows`),
		w.count(t, `SELECT COALESCE(SUM(capacity), 0) FROM signup_windows`),
		w.count(t, `SELECT COALESCE(SUM(CASE status WHEN 'confirmed' THEN 1 WHEN 'waiting' THEN 10 ELSE 100 END), 0) FROM signups`))
}

func (w *signupWorld) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := w.db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestACapacityOfTwoWaitlistsTheThirdWhoGetsThePlaceWhenOneWithdraws(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newSignupWorld(t, db)
		ctx := t.Context()
		m := w.svc.Meetings
		meeting := w.survey.ID
		staff := staffActor(model.RoleStaff)
		deadline := w.now.Add(5 * 24 * time.Hour).Format(time.RFC3339)
		sum, err := m.OpenSignup(ctx, staff, meeting, core.SignupInput{Capacity: "2", Deadline: deadline})
		if err != nil || sum.Window.Capacity != 2 || sum.Confirmed != 0 {
			t.Fatalf("open: %+v %v", sum, err)
		}
		a, b, c := core.DeputyActor(w.a, core.ViaWeChat), core.DeputyActor(w.b, core.ViaH5), core.DeputyActor(w.c, core.ViaWeChat)
		for _, by := range []core.Actor{a, b} {
			res, err := m.SignUp(ctx, by, meeting)
			if err != nil || res.Signup.Status != model.SignupConfirmed || res.Position != 0 {
				t.Fatalf("%s signs up: %+v %v", by.Deputy.Name, res, err)
			}
		}
		third, err := m.SignUp(ctx, c, meeting)
		if err != nil || third.Signup.Status != model.SignupWaiting || third.Position != 1 {
			t.Fatalf("the third signs up: %+v %v, want waiting 1st", third, err)
		}
		again, err := m.SignUp(ctx, c, meeting)
		if err != nil || !again.Already || again.Position != 1 {
			t.Fatalf("the third signs up again: %+v %v", again, err)
		}
		attend := `SELECT COUNT(*) FROM invitations WHERE meeting_id = ? AND status = 'attend'`
		if n := w.count(t, attend, meeting); n != 2 {
			t.Fatalf("%d invitations answered 参加 after two places were taken, want 2", n)
		}
		if n := w.count(t, `SELECT COUNT(*) FROM invitations WHERE meeting_id = ? AND deputy_id = ?`, meeting, w.c.ID); n != 0 {
			t.Fatal("the waiting deputy was invited before getting a place")
		}
		pushesBefore := w.count(t, `SELECT COUNT(*) FROM deliveries WHERE deputy_id = ?`, w.c.ID)

		res, err := m.WithdrawSignup(ctx, b, meeting)
		if err != nil || res.Signup.Status != model.SignupWithdrawn || res.Promoted.DeputyID != w.c.ID {
			t.Fatalf("withdraw: %+v %v, want the third promoted", res, err)
		}
		if n := w.count(t, attend, meeting); n != 2 {
			t.Fatalf("%d invitations answered 参加 after the swap, want 2", n)
		}
		var status, reason string
		if err := db.SQL().QueryRow(`SELECT status, reason FROM invitations WHERE meeting_id = ? AND deputy_id = ?`,
			meeting, w.b.ID).Scan(&status, &reason); err != nil || status != model.RSVPLeave || reason != "退出报名" {
			t.Fatalf("the withdrawn deputy's invitation: %q %q %v", status, reason, err)
		}
		if err := db.SQL().QueryRow(`SELECT status FROM invitations WHERE meeting_id = ? AND deputy_id = ?`,
			meeting, w.c.ID).Scan(&status); err != nil || status != model.RSVPAttend {
			t.Fatalf("the promoted deputy's invitation: %q %v", status, err)
		}
		if n := w.count(t, `SELECT COUNT(*) FROM deliveries WHERE deputy_id = ?`, w.c.ID); n != pushesBefore+1 {
			t.Fatalf("the promoted deputy has %d pushes, want %d (told of the place)", n, pushesBefore+1)
		}
		var body string
		if err := db.SQL().QueryRow(`SELECT n.body FROM deliveries dl JOIN notices n ON n.id = dl.notice_id
			WHERE dl.deputy_id = ? ORDER BY dl.id DESC LIMIT 1`, w.c.ID).Scan(&body); err != nil || !strings.Contains(body, "报名成功") {
			t.Fatalf("the push: %q %v", body, err)
		}
		acts, err := m.OpenActivities(ctx, c)
		if err != nil || len(acts) != 1 || acts[0].Mine.Status != model.SignupConfirmed || acts[0].Summary.Confirmed != 2 ||
			acts[0].Summary.Waiting != 0 {
			t.Fatalf("open activities of the promoted deputy: %+v %v", acts, err)
		}
		_, rows, err := m.Signups(ctx, staffActor(model.RoleReadonly), meeting)
		if err != nil || len(rows) != 3 || rows[2].DeputyID != w.b.ID || rows[2].Status != model.SignupWithdrawn {
			t.Fatalf("sign-up list: %+v %v", rows, err)
		}
		// Signing up again after withdrawing joins the end of the queue.
		back, err := m.SignUp(ctx, b, meeting)
		if err != nil || back.Signup.Status != model.SignupWaiting || back.Position != 1 {
			t.Fatalf("signing up again: %+v %v", back, err)
		}
		audits := map[string]int{}
		for _, e := range w.audits(t) {
			audits[e.Action]++
		}
		if audits["meeting.signup_open"] != 1 || audits["meeting.signup"] != 4 || audits["meeting.signup_withdraw"] != 1 {
			t.Fatalf("audit entries %v", audits)
		}
	})
}

func TestSignUpRefusalsSayWhyAndChangeNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newSignupWorld(t, db)
		ctx := t.Context()
		m := w.svc.Meetings
		meeting := w.survey.ID
		staff := staffActor(model.RoleStaff)
		a, c := core.DeputyActor(w.a, core.ViaWeChat), core.DeputyActor(w.c, core.ViaWeChat)

		if _, err := m.SignUp(ctx, a, meeting); !errors.Is(err, model.ErrNotFound) || !strings.Contains(core.Message(err), "未开放报名") {
			t.Fatalf("sign-up before it opens: %v", err)
		}
		for _, tc := range []struct {
			name string
			by   core.Actor
			in   core.SignupInput
			key  string
			kind error
		}{
			{"no places", staff, core.SignupInput{Capacity: "0", Deadline: "2026-03-05 18:00"}, "capacity", nil},
			{"places that are not a number", staff, core.SignupInput{Capacity: "三十", Deadline: "2026-03-05 18:00"}, "capacity", nil},
			{"a deadline passed", staff, core.SignupInput{Capacity: "2", Deadline: "2026-03-01 18:00"}, "deadline", nil},
			{"a deadline after the start", staff, core.SignupInput{Capacity: "2", Deadline: "2026-12-20T18:00:00+08:00"}, "deadline", nil},
			{"a deadline that is no date", staff, core.SignupInput{Capacity: "2", Deadline: "下周"}, "deadline", nil},
			{"a read-only account", staffActor(model.RoleReadonly), core.SignupInput{Capacity: "2", Deadline: "2026-03-05 18:00"}, "", model.ErrForbidden},
			{"a deputy", a, core.SignupInput{Capacity: "2", Deadline: "2026-03-05 18:00"}, "", model.ErrForbidden},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := w.state(t)
				_, err := m.OpenSignup(ctx, tc.by, meeting, tc.in)
				if tc.kind != nil {
					if !errors.Is(err, tc.kind) {
						t.Fatalf("got %v, want %v", err, tc.kind)
					}
				} else if fe, ok := core.Fields(err); !ok || fe[0].Key != tc.key {
					t.Fatalf("got %v, want a problem on %s", err, tc.key)
				}
				if after := w.state(t); after != before {
					t.Fatalf("state changed: %s → %s", before, after)
				}
			})
		}
		if _, err := m.OpenSignup(ctx, staff, meeting, core.SignupInput{Capacity: "1", Deadline: "2026-03-05 18:00"}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.SignUp(ctx, a, meeting); err != nil {
			t.Fatal(err)
		}
		waiting, err := m.SignUp(ctx, c, meeting)
		if err != nil || waiting.Position != 1 {
			t.Fatalf("second on one place: %+v %v", waiting, err)
		}
		before := w.state(t)
		if _, err := m.SignUp(ctx, core.DeputyActor(w.ended, core.ViaWeChat), meeting); !errors.Is(err, model.ErrForbidden) ||
			!strings.Contains(core.Message(err), "已终止") {
			t.Fatalf("a deputy whose term ended: %v", err)
		}
		if _, err := m.WithdrawSignup(ctx, core.DeputyActor(w.b, core.ViaWeChat), meeting); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("withdrawing without a sign-up: %v", err)
		}
		if _, err := m.OpenSignup(ctx, staff, meeting, core.SignupInput{Capacity: "0", Deadline: "2026-03-05 18:00"}); err == nil {
			t.Fatal("fewer places than confirmed accepted")
		}
		if after := w.state(t); after != before {
			t.Fatalf("refusals changed the state: %s → %s", before, after)
		}
		// After the deadline: the reason, and the waiting-list position.
		w.now = time.Date(2026, 3, 5, 10, 1, 0, 0, time.UTC)
		res, err := m.SignUp(ctx, c, meeting)
		if !errors.Is(err, core.ErrSignupClosed) || !errors.Is(err, model.ErrConflict) || res.Position != 1 ||
			!strings.Contains(core.Message(err), "截止") || !strings.Contains(core.Message(err), "候补名单第 1 位") {
			t.Fatalf("after the deadline: %+v %v", res, err)
		}
		if _, err := m.SignUp(ctx, core.DeputyActor(w.b, core.ViaWeChat), meeting); !errors.Is(err, core.ErrSignupClosed) ||
			strings.Contains(core.Message(err), "候补") {
			t.Fatalf("a new sign-up after the deadline: %v", err)
		}
		if _, err := m.WithdrawSignup(ctx, a, meeting); !errors.Is(err, core.ErrSignupClosed) {
			t.Fatalf("withdrawing after the deadline: %v", err)
		}
		if acts, err := m.OpenActivities(ctx, a); err != nil || len(acts) != 0 {
			t.Fatalf("open activities after the deadline: %+v %v", acts, err)
		}
		// More places promote the waiting list, in order.
		w.now = time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
		sum, err := m.OpenSignup(ctx, staff, meeting, core.SignupInput{Capacity: "3", Deadline: "2026-03-05 18:00"})
		if err != nil || sum.Confirmed != 2 || sum.Waiting != 0 {
			t.Fatalf("more places: %+v %v", sum, err)
		}
	})
}

func TestDeputiesSigningUpAtOnceNeverTakeMoreThanThePlaces(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newSignupWorld(t, db)
		ctx := t.Context()
		m := w.svc.Meetings
		meeting := w.survey.ID
		if _, err := m.OpenSignup(ctx, staffActor(model.RoleStaff), meeting, core.SignupInput{Capacity: "3", Deadline: "2026-03-05 18:00"}); err != nil {
			t.Fatal(err)
		}
		var ds []model.Deputy
		for i := 0; i < 10; i++ {
			d := model.Deputy{Name: fmt.Sprintf("并发代表%d", i), Delegation: "烟台市代表团", Level: model.LevelProvincial,
				Phone: fmt.Sprintf("1370000%04d", i)}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			ds = append(ds, d)
		}
		errs := make(chan error, len(ds))
		for _, d := range ds {
			go func(d model.Deputy) {
				var err error
				for attempt := 0; attempt < 5; attempt++ {
					if _, err = m.SignUp(ctx, core.DeputyActor(d, core.ViaWeChat), meeting); err == nil || !strings.Contains(err.Error(), "Deadlock") {
						break
					}
				}
				errs <- err
			}(d)
		}
		for range ds {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		sum, rows, err := m.Signups(ctx, staffActor(model.RoleStaff), meeting)
		if err != nil || sum.Confirmed != 3 || sum.Waiting != 7 {
			t.Fatalf("%d confirmed and %d waiting, want 3 and 7 (%v)", sum.Confirmed, sum.Waiting, err)
		}
		for i, r := range rows[3:] {
			if r.Position != i+1 {
				t.Fatalf("waiting positions %+v", rows)
			}
		}
		if n := w.count(t, `SELECT COUNT(*) FROM invitations WHERE meeting_id = ? AND status = 'attend'`, meeting); n != 3 {
			t.Fatalf("%d invitations answered 参加, want 3", n)
		}
	})
}
