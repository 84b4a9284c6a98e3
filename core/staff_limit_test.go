package core_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// wrongInParallel runs n logins with a wrong password at once, spread over
// the services given (instances sharing db), checks each is refused, and
// returns how many passwords were compared: each comparison of a wrong
// password leaves its failure recorded under the account, a refusal while
// locked records nothing.
func wrongInParallel(t *testing.T, db *storage.DB, n int, services ...*core.Staff) (compared int) {
	t.Helper()
	var mu sync.Mutex
	var bad, locked int
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := services[i%len(services)].Authenticate(context.Background(), "li", "wrong", "198.51.100.9")
			var le *core.LockedError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, core.ErrBadCredentials):
				bad++
			case errors.As(err, &le):
				locked++
			default:
				t.Errorf("a wrong password gives %v", err)
			}
		}()
	}
	wg.Wait()
	if bad+locked != n {
		t.Fatalf("%d of %d wrong passwords refused", bad+locked, n)
	}
	fails, err := db.LoginFailures(context.Background(), "u:li", time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(fails)
}

// TestParallelWrongPasswordsCannotOutrunTheLoginLimit replays the probe
// that raced the lock: many wrong passwords at once, then the right one.
// Each attempt is reserved before the password is compared, so exactly
// MaxFailures wrong passwords are compared and the rest, and then the
// right password, are refused as locked.
func TestParallelWrongPasswordsCannotOutrunTheLoginLimit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s, _ := newStaff(db)
		if _, _, err := s.Create(ctx, core.NewAccount{Username: "li", Role: model.RoleStaff, Password: "correct-horse"}); err != nil {
			t.Fatal(err)
		}
		if compared := wrongInParallel(t, db, 20, s); compared != core.DefaultMaxFailures {
			t.Fatalf("20 parallel wrong passwords: %d compared, want %d", compared, core.DefaultMaxFailures)
		}
		var le *core.LockedError
		if _, err := s.Authenticate(ctx, "li", "correct-horse", "198.51.100.10"); !errors.As(err, &le) || le.ByAddress {
			t.Fatalf("the right password after them gives %v, want the account locked", err)
		}
	})
}

// TestTwoInstancesShareTheLoginLimit: two instances on one MariaDB
// reserve attempts in the same table under the same row locks, so
// parallel wrong passwords spread over both still get only MaxFailures
// comparisons.
func TestTwoInstancesShareTheLoginLimit(t *testing.T) {
	dsn := storagetest.NewMySQLDatabase(t)
	open := func() *storage.DB {
		db, err := storage.Open(context.Background(), "mysql", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return db
	}
	dbA := open()
	a, _ := newStaff(dbA)
	b, _ := newStaff(open())
	if _, _, err := a.Create(context.Background(), core.NewAccount{Username: "li", Role: model.RoleStaff, Password: "correct-horse"}); err != nil {
		t.Fatal(err)
	}
	if compared := wrongInParallel(t, dbA, 30, a, b); compared != core.DefaultMaxFailures {
		t.Fatalf("30 parallel wrong passwords on two instances: %d compared, want %d", compared, core.DefaultMaxFailures)
	}
	var le *core.LockedError
	if _, err := b.Authenticate(context.Background(), "li", "correct-horse", "198.51.100.10"); !errors.As(err, &le) {
		t.Fatalf("the right password on the other instance gives %v", err)
	}
}
