package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// newStaff returns the staff service with a fast hash and a clock the
// test moves.
func newStaff(db *storage.DB) (*core.Staff, *time.Time) {
	now := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
	clock := func() time.Time { return now }
	db.SetClock(clock)
	s := core.NewStaff(db)
	s.Now, s.HashCost = clock, bcrypt.MinCost
	return s, &now
}

func TestCreatingAccountsValidatesEveryField(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s, _ := newStaff(db)
		tests := []struct {
			name  string
			in    core.NewAccount
			field string
		}{
			{"a username with spaces", core.NewAccount{Username: "li ming", Role: model.RoleStaff}, "用户名"},
			{"an unknown role", core.NewAccount{Username: "li", Role: "root"}, "角色"},
			{"a unit account without a unit", core.NewAccount{Username: "jt", Role: model.RoleUnit}, "承办单位"},
			{"a short password", core.NewAccount{Username: "li", Role: model.RoleStaff, Password: "short"}, "密码"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := s.Create(ctx, tt.in)
				var verr core.ValidationError
				if !errors.As(err, &verr) || verr[0].Label != tt.field {
					t.Fatalf("got %v, want an error on %s", err, tt.field)
				}
			})
		}
		a, pw, err := s.Create(ctx, core.NewAccount{Username: " LiMing ", Name: "李明", Role: model.RoleStaff})
		if err != nil || a.Username != "liming" || len(pw) != 16 || !a.MustChangePassword {
			t.Fatalf("created %+v with %q, %v", a, pw, err)
		}
		_, _, err = s.Create(ctx, core.NewAccount{Username: "liming", Role: model.RoleStaff})
		var verr core.ValidationError
		if !errors.As(err, &verr) || !strings.Contains(verr.Error(), "已被使用") {
			t.Fatalf("a taken username gives %v", err)
		}
	})
}

func TestLoginLocksAnAccountAfterFiveFailuresForFifteenMinutes(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s, now := newStaff(db)
		if _, _, err := s.Create(ctx, core.NewAccount{Username: "li", Role: model.RoleStaff, Password: "correct-horse"}); err != nil {
			t.Fatal(err)
		}
		if a, err := s.Authenticate(ctx, "LI", "correct-horse", "10.0.0.1"); err != nil || a.LastLoginAt == nil {
			t.Fatalf("a right password is refused: %v", err)
		}
		for i := range 4 {
			if _, err := s.Authenticate(ctx, "li", "wrong", "10.0.0.1"); !errors.Is(err, core.ErrBadCredentials) {
				t.Fatalf("failure %d gives %v", i+1, err)
			}
			*now = now.Add(time.Minute)
		}
		_, err := s.Authenticate(ctx, "li", "wrong", "10.0.0.2")
		var locked *core.LockedError
		if !errors.As(err, &locked) || locked.ByAddress {
			t.Fatalf("the fifth failure gives %v, want the account locked", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "账号已锁定") || !strings.Contains(msg, "09:19") {
			t.Fatalf("lock message %q does not say until 09:19", msg)
		}
		*now = now.Add(14 * time.Minute)
		if _, err := s.Authenticate(ctx, "li", "correct-horse", "10.0.0.3"); !errors.As(err, &locked) {
			t.Fatalf("a right password while locked gives %v", err)
		}
		*now = now.Add(time.Minute)
		if _, err := s.Authenticate(ctx, "li", "correct-horse", "10.0.0.3"); err != nil {
			t.Fatalf("after 15 minutes the right password gives %v", err)
		}
	})
}

func TestLoginLocksAnAddressTryingManyAccounts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s, now := newStaff(db)
		if _, _, err := s.Create(ctx, core.NewAccount{Username: "li", Role: model.RoleStaff, Password: "correct-horse"}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"a1", "a2", "a3", "a4", "a5"} {
			_, _ = s.Authenticate(ctx, u, "guess", "192.0.2.7")
		}
		_, err := s.Authenticate(ctx, "li", "correct-horse", "192.0.2.7")
		var locked *core.LockedError
		if !errors.As(err, &locked) || !locked.ByAddress || !strings.Contains(err.Error(), "网络地址") {
			t.Fatalf("the sixth try from the address gives %v", err)
		}
		if _, err := s.Authenticate(ctx, "li", "correct-horse", "192.0.2.8"); err != nil {
			t.Fatalf("another address is refused: %v", err)
		}
		*now = now.Add(16 * time.Minute)
		if _, err := s.Authenticate(ctx, "li", "correct-horse", "192.0.2.7"); err != nil {
			t.Fatalf("the address is still locked after 16 minutes: %v", err)
		}
	})
}

func TestDisabledAccountsAndTokens(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s, now := newStaff(db)
		a, _, err := s.Create(ctx, core.NewAccount{Username: "sys", Role: model.RoleUnit, Unit: "省交通运输厅", Password: "correct-horse"})
		if err != nil {
			t.Fatal(err)
		}
		token, tok, err := s.CreateToken(ctx, a, "办理系统")
		if err != nil || !strings.HasPrefix(token, core.TokenPrefix) || tok.Hash == token || strings.Contains(tok.Hash, token[4:]) {
			t.Fatalf("token %q stored as %q, %v", token, tok.Hash, err)
		}
		got, err := s.AuthenticateToken(ctx, token)
		if err != nil || got.ID != a.ID {
			t.Fatalf("the token authenticates as %+v, %v", got, err)
		}
		if ts, _ := s.Tokens(ctx, a.ID); len(ts) != 1 || ts[0].LastUsedAt == nil || !ts[0].LastUsedAt.Equal(*now) {
			t.Fatalf("last use not recorded: %+v", ts)
		}
		for _, bad := range []string{"", "dbt_", "Bearer " + token, token + "x"} {
			if _, err := s.AuthenticateToken(ctx, bad); !errors.Is(err, core.ErrBadToken) {
				t.Errorf("token %q gives %v", bad, err)
			}
		}
		if err := db.SetAccountDisabled(ctx, a.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthenticateToken(ctx, token); !errors.Is(err, core.ErrBadToken) {
			t.Fatalf("a disabled account's token gives %v", err)
		}
		if _, err := s.Authenticate(ctx, "sys", "correct-horse", ""); !errors.Is(err, core.ErrAccountDisabled) {
			t.Fatalf("a disabled account logs in: %v", err)
		}
		_ = db.SetAccountDisabled(ctx, a.ID, false)
		if err := s.RevokeTokenAs(ctx, core.StaffActor(a, core.ViaAPI), tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthenticateToken(ctx, token); !errors.Is(err, core.ErrBadToken) {
			t.Fatalf("a revoked token gives %v", err)
		}
	})
}

func TestEnsureAdminCreatesOneAdminOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s, _ := newStaff(db)
		pw, created, err := s.EnsureAdmin(ctx)
		if err != nil || !created || pw == "" {
			t.Fatalf("first start: %q %v %v", pw, created, err)
		}
		a, err := s.Authenticate(ctx, "admin", pw, "")
		if err != nil || a.Role != model.RoleAdmin || !a.MustChangePassword {
			t.Fatalf("the printed password does not log in as a new admin: %+v %v", a, err)
		}
		if pw, created, err := s.EnsureAdmin(ctx); err != nil || created || pw != "" {
			t.Fatalf("second start: %q %v %v", pw, created, err)
		}
		_ = db.SetAccountDisabled(ctx, a.ID, true)
		if pw2, created, err := s.EnsureAdmin(ctx); err != nil || !created || pw2 == pw {
			t.Fatalf("with the only admin disabled: %q %v %v", pw2, created, err)
		}
		entries, _, _ := db.ListAudit(ctx, model.AuditFilter{Action: "staff.bootstrap"})
		if len(entries) != 2 {
			t.Fatalf("bootstrap audit entries: %+v", entries)
		}
	})
}

func TestAuditSummariesNeverKeepPhoneNumbers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s, _ := newStaff(db)
		before := model.Deputy{Name: "王芳", Delegation: "济南市代表团", Phone: "13800001111", Level: "provincial"}
		after := before
		after.Delegation, after.Phone, after.Tags = "青岛市代表团", "13900002222", []string{"教育"}
		summary := core.DeputyChanges(before, after)
		if !strings.Contains(summary, "代表团：济南市代表团 → 青岛市代表团") || !strings.Contains(summary, "手机号：已修改") ||
			strings.Contains(summary, "1380000") || strings.Contains(summary, "1390000") {
			t.Fatalf("summary %q", summary)
		}
		// An action's summary with a number in it: masked when written.
		if _, _, err := s.CreateAs(ctx, core.CLIActor(model.Account{}, "ops"), core.NewAccount{Username: "u13800001111", Name: "误写 13800001111", Role: model.RoleStaff}); err != nil {
			t.Fatal(err)
		}
		es, _, _ := db.ListAudit(ctx, model.AuditFilter{})
		if len(es) != 1 || strings.Contains(es[0].Summary, "13800001111") {
			t.Fatalf("audit entry %+v", es)
		}
	})
}

func TestAnAbsurdlyLongUsernameIsJustAFailure(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s, _ := newStaff(db)
		if _, err := s.Authenticate(context.Background(), strings.Repeat("长", 5000), "x", "192.0.2.1"); !errors.Is(err, core.ErrBadCredentials) {
			t.Fatalf("got %v", err)
		}
	})
}
