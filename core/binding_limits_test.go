package core

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
)

// TestBindingByDigitsIsLimitedPerDeputyAcrossFollowers replays the probe
// that found a known deputy's last 4 phone digits with 358 guesses from
// 72 openids: 200 wrong guesses for one name from 40 followers at once.
// Attempts are reserved per deputy before the digits are compared, so
// exactly BindDeputyMaxFailures are compared; then the deputy is locked
// (audited once, listed for the dashboard), the right digits are refused
// from anyone, and only a code staff issue binds the deputy, which lifts
// the lock.
func TestBindingByDigitsIsLimitedPerDeputyAcrossFollowers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		db.SetClock(clock.Now)
		svc := New(db, Options{Now: clock.Now, Loc: time.UTC})
		wang := accessDeputy(t, db, "王芳", "13800131234", "")
		var wg sync.WaitGroup
		var mu sync.Mutex
		outcomes := map[BindOutcome]int{}
		for f := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for g := range 5 {
					guess := fmt.Sprintf("%04d", 5000+f*5+g) // never 1234
					res, err := svc.Binding.Attempt(ctx, PublicActor(fmt.Sprintf("o-guess-%d", f), ViaWeChat), "王芳", guess)
					mu.Lock()
					if err != nil {
						t.Error(err)
					}
					outcomes[res.Outcome]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if outcomes[BindDeputy] != 0 || outcomes[BindDeputyLocked] == 0 {
			t.Fatalf("outcomes of 200 wrong guesses: %v", outcomes)
		}
		if n, err := db.CountAttempts(ctx, bindDeputyKey(wang.ID), clock.Now().Add(-BindDeputyWindow)); err != nil || n != BindDeputyMaxFailures {
			t.Fatalf("%d guesses compared against the deputy (%v), want exactly %d", n, err, BindDeputyMaxFailures)
		}
		if res, err := svc.Binding.Attempt(ctx, PublicActor("o-wang", ViaWeChat), "王芳", "1234"); err != nil || res.Outcome != BindDeputyLocked {
			t.Fatalf("the right digits after the guesses: %+v %v", res, err)
		}
		if d, _ := db.GetDeputy(ctx, wang.ID); d.OpenID != "" {
			t.Fatalf("the deputy got bound to %q", d.OpenID)
		}
		if es := auditOf(t, db, "deputy.bind_locked"); len(es) != 1 || es[0].Object != deputyObject(wang) {
			t.Fatalf("lock audit entries: %+v", es)
		}
		staff := CLIActor(model.Account{}, "test")
		st, err := svc.Binding.Locks(ctx, staff, clock.Now().Add(-7*24*time.Hour))
		if err != nil || len(st.Locked) != 1 || st.Locked[0].DeputyID != wang.ID || st.Locked[0].Name != "王芳" || st.Paused {
			t.Fatalf("the dashboard's locks: %+v %v", st, err)
		}
		// A day later the guesses are old, but the lock stays until a code.
		clock.Advance(25 * time.Hour)
		if res, _ := svc.Binding.Attempt(ctx, PublicActor("o-wang", ViaWeChat), "王芳", "1234"); res.Outcome != BindDeputyLocked {
			t.Fatalf("the right digits a day later: %+v", res)
		}
		_, code, _, err := svc.Binding.IssueCode(ctx, staff, wang.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := svc.Binding.Attempt(ctx, PublicActor("o-wang", ViaWeChat), "王芳", code); err != nil || res.Outcome != BindDeputy {
			t.Fatalf("the staff code: %+v %v", res, err)
		}
		if _, err := db.GetBindLock(ctx, wang.ID); err == nil {
			t.Fatal("the lock stays after the deputy bound with a code")
		}
	})
}

// TestABoundDeputysDigitsGetTheWrongDigitsAnswerAndCount: for a deputy
// bound to someone else, the right digits and wrong digits get the same
// answer and count the same against the deputy, so the answer is no
// oracle for the digits, and guessing them still locks.
func TestABoundDeputysDigitsGetTheWrongDigitsAnswerAndCount(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := New(db, Options{Loc: time.UTC})
		li := accessDeputy(t, db, "李强", "13900135678", "o-li")
		right, err := svc.Binding.Attempt(ctx, PublicActor("o-a", ViaWeChat), "李强", "5678")
		if err != nil {
			t.Fatal(err)
		}
		wrong, err := svc.Binding.Attempt(ctx, PublicActor("o-b", ViaWeChat), "李强", "5679")
		if err != nil {
			t.Fatal(err)
		}
		if right != wrong || right.Outcome != BindMismatch {
			t.Fatalf("the right digits answer %+v, wrong ones %+v", right, wrong)
		}
		if n, err := db.CountAttempts(ctx, bindDeputyKey(li.ID), time.Now().Add(-time.Hour)); err != nil || n != 2 {
			t.Fatalf("%d attempts counted against the bound deputy (%v), want 2", n, err)
		}
		for i := range BindDeputyMaxFailures {
			_, _ = svc.Binding.Attempt(ctx, PublicActor(fmt.Sprintf("o-c%d", i), ViaWeChat), "李强", "5678")
		}
		if _, err := db.GetBindLock(ctx, li.ID); err != nil {
			t.Fatalf("guessing a bound deputy's digits did not lock: %v", err)
		}
	})
}

// TestBindingByDigitsPausesWhenFailuresSpikeOverall: more than
// BindOverallMaxFailures failures within an hour, over any names, pause
// binding by phone digits for everyone (audited once, shown to staff);
// a staff code still binds, and an hour later digits work again.
func TestBindingByDigitsPausesWhenFailuresSpikeOverall(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		db.SetClock(clock.Now)
		svc := New(db, Options{Now: clock.Now, Loc: time.UTC})
		accessDeputy(t, db, "周杰", "13700130001", "")
		wu := accessDeputy(t, db, "吴敏", "13700130002", "")
		for i := range BindOverallMaxFailures {
			by := PublicActor(fmt.Sprintf("o-spray-%d", i/BindMaxFailures), ViaWeChat)
			if res, err := svc.Binding.Attempt(ctx, by, fmt.Sprintf("无此人%d", i), "0000"); err != nil || res.Outcome == BindPaused {
				t.Fatalf("failure %d: %+v %v", i+1, res, err)
			}
		}
		if res, err := svc.Binding.Attempt(ctx, PublicActor("o-zhou", ViaWeChat), "周杰", "0001"); err != nil || res.Outcome != BindPaused {
			t.Fatalf("the right digits during the spike: %+v %v", res, err)
		}
		_, _ = svc.Binding.Attempt(ctx, PublicActor("o-zhou", ViaWeChat), "周杰", "0001")
		if es := auditOf(t, db, "binding.paused"); len(es) != 1 {
			t.Fatalf("pause audit entries: %+v", es)
		}
		staff := CLIActor(model.Account{}, "test")
		if st, err := svc.Binding.Locks(ctx, staff, clock.Now().Add(-time.Hour)); err != nil || !st.Paused {
			t.Fatalf("the dashboard's state: %+v %v", st, err)
		}
		_, code, _, err := svc.Binding.IssueCode(ctx, staff, wu.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := svc.Binding.Attempt(ctx, PublicActor("o-wu", ViaWeChat), "吴敏", code); err != nil || res.Outcome != BindDeputy {
			t.Fatalf("a staff code during the spike: %+v %v", res, err)
		}
		clock.Advance(BindWindow + time.Minute)
		if res, err := svc.Binding.Attempt(ctx, PublicActor("o-zhou", ViaWeChat), "周杰", "0001"); err != nil || res.Outcome != BindDeputy {
			t.Fatalf("the right digits an hour later: %+v %v", res, err)
		}
	})
}
