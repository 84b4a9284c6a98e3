package core

import (
	"context"
	"errors"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
)

func TestOnlyAJobOrAnAdministratorPrunes(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk := testkit.NewClock()
		db.SetClock(clk.Now)
		s := New(db, Options{Now: clk.Now})
		if _, _, err := db.ClaimInbound(ctx, "msg-old", "o-1", "text", clk.Now()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(3 * 24 * time.Hour) // past the 2 days dedupe traces are kept
		inbound := func() int {
			t.Helper()
			n, err := db.CountRows(ctx, "wechat_inbound")
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		for _, by := range []Actor{
			StaffActor(model.Account{ID: 7, Username: "clerk", Role: model.RoleStaff}, ViaConsole),
			DeputyActor(model.Deputy{ID: 3, Name: "王建国"}, ViaWeChat),
			PublicActor("o-1", ViaWeChat),
			{Via: ViaJob}, // a job with no name
		} {
			if _, err := s.Housekeeping.Prune(ctx, by, Retention{}); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("%s pruned: %v", by.Name(), err)
			}
		}
		if n := inbound(); n != 1 {
			t.Fatalf("a refused prune deleted: %d rows left", n)
		}
		counts, err := s.Housekeeping.Prune(ctx, SystemActor("cleanup"), Retention{})
		if err != nil || counts["wechat_inbound"] != 1 || inbound() != 0 {
			t.Fatalf("the cleanup job pruned %v (%v), %d rows left", counts, err, inbound())
		}
		if _, err := s.Housekeeping.Prune(ctx, CLIActor(model.Account{}, "ops"), Retention{}); err != nil {
			t.Fatalf("the operator at the command line: %v", err)
		}
	})
}

func TestTheJobsActionsRefuseAnyoneButAJob(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := New(db, Options{})
		deputy := DeputyActor(model.Deputy{ID: 3, Name: "王建国"}, ViaWeChat)
		now := time.Now()
		calls := map[string]func(Actor) error{
			"meeting reminders": func(by Actor) error { _, err := s.Reminders.Meetings(ctx, by, now); return err },
			"rating reminders":  func(by Actor) error { _, err := s.Reminders.Ratings(ctx, by, now); return err },
			"closing reminders": func(by Actor) error { _, err := s.Reminders.Closing(ctx, by, now); return err },
			"study series":      func(by Actor) error { _, err := s.Reminders.AnnounceNextMaterial(ctx, by, now, nil); return err },
			"notice series":     func(by Actor) error { _, err := s.Series.RunDue(ctx, by, now, nil); return err },
			"liaison digests":   func(by Actor) error { _, err := s.Liaison.SendDigests(ctx, by, now); return err },
			"supervision digest": func(by Actor) error {
				_, err := s.Supervision.Digest(ctx, by)
				return err
			},
		}
		for name, call := range calls {
			if err := call(deputy); !errors.Is(err, model.ErrForbidden) {
				t.Errorf("%s as a deputy: %v", name, err)
			}
			// With nothing due, a job's run does nothing and succeeds.
			if err := call(SystemActor("test-job")); err != nil {
				t.Errorf("%s as a job: %v", name, err)
			}
		}
	})
}

func TestPruneForgetsCallbackNoncesAfterAnHour(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk := testkit.NewClock()
		db.SetClock(clk.Now)
		s := New(db, Options{Now: clk.Now})
		see := func(nonce string) {
			t.Helper()
			if _, err := db.SeeCallbackNonces(ctx, []model.CallbackNonce{{Timestamp: clk.Now().Unix(), Nonce: nonce, Digest: "d", At: clk.Now()}}); err != nil {
				t.Fatal(err)
			}
		}
		see("old")
		clk.Advance(50 * time.Minute)
		see("recent")
		clk.Advance(20 * time.Minute)
		counts, err := s.Housekeeping.Prune(ctx, SystemActor("cleanup"), Retention{})
		if err != nil || counts["callback_nonces"] != 1 {
			t.Fatalf("pruned %v (%v), want one callback nonce", counts, err)
		}
		if n, err := db.CountRows(ctx, "callback_nonces"); err != nil || n != 1 {
			t.Fatalf("%d nonces left (%v), want the recent one", n, err)
		}
	})
}
