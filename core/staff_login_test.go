package core_test

import (
	"context"
	"errors"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestLoginAndOwnPasswordAreAuditedOnce: a login and a password change
// each leave one entry naming the account; a refused one leaves none and
// changes nothing, while a wrong password still counts against the limit.
func TestLoginAndOwnPasswordAreAuditedOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s, _ := newStaff(db)
		a, _, err := s.Create(ctx, core.NewAccount{Username: "li", Name: "李明", Role: model.RoleStaff, Password: "first-password-1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Login(ctx, "li", "wrong-password", "10.0.0.1", core.ViaConsole); !errors.Is(err, core.ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		if n := auditCount(t, db, "staff.login"); n != 0 {
			t.Fatalf("a refused login wrote %d entries", n)
		}
		if fails, err := db.LoginFailures(ctx, "u:li", a.CreatedAt.AddDate(0, 0, -1), 10); err != nil || len(fails) != 1 {
			t.Fatalf("the failure is not counted: %v %v", fails, err)
		}
		in, err := s.Login(ctx, " LI ", "first-password-1", "10.0.0.1", core.ViaConsole)
		if err != nil || in.ID != a.ID || in.LastLoginAt == nil {
			t.Fatalf("login: %+v %v", in, err)
		}
		if n := auditCount(t, db, "staff.login"); n != 1 {
			t.Fatalf("%d login entries, want 1", n)
		}

		by := core.StaffActor(in, core.ViaConsole)
		for name, try := range map[string][3]string{
			"confirm":  {"first-password-1", "second-password-2", "other-password-3"},
			"current":  {"not-the-password", "second-password-2", "second-password-2"},
			"password": {"first-password-1", "short", "short"},
		} {
			_, err := s.ChangeOwnPasswordAs(ctx, by, try[0], try[1], try[2], "10.0.0.1")
			if fe, ok := core.Fields(err); !ok || fe[0].Key != name {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if n := auditCount(t, db, "staff.password"); n != 0 {
			t.Fatalf("refused changes wrote %d entries", n)
		}
		changed, err := s.ChangeOwnPasswordAs(ctx, by, "first-password-1", "second-password-2", "second-password-2", "10.0.0.1")
		if err != nil || core.SessionStamp(changed) == core.SessionStamp(in) {
			t.Fatalf("change: %v (the stamp must change)", err)
		}
		if n := auditCount(t, db, "staff.password"); n != 1 {
			t.Fatalf("%d password entries, want 1", n)
		}
		if _, err := s.Login(ctx, "li", "second-password-2", "", core.ViaConsole); err != nil {
			t.Fatalf("the new password: %v", err)
		}
	})
}
