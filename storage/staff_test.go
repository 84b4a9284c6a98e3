package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestAccountsAndTokens(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })

		a := model.Account{Username: "li", Name: "李明", Role: model.RoleStaff, PasswordHash: "h1"}
		if err := db.CreateAccount(ctx, &a); err != nil {
			t.Fatal(err)
		}
		dup := model.Account{Username: "li", Role: model.RoleStaff, PasswordHash: "h"}
		if err := db.CreateAccount(ctx, &dup); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("a second account li gives %v, want ErrConflict", err)
		}
		if err := db.SetAccountPassword(ctx, a.ID, "h2", true); err != nil {
			t.Fatal(err)
		}
		if err := db.TouchAccountLogin(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetAccountByUsername(ctx, "li")
		if err != nil || got.PasswordHash != "h2" || !got.MustChangePassword || got.LastLoginAt == nil || !got.LastLoginAt.Equal(now) {
			t.Fatalf("account read back as %+v, %v", got, err)
		}
		if n, _ := db.CountActiveAdmins(ctx); n != 0 {
			t.Fatalf("no admin yet, counted %d", n)
		}
		if err := db.SetAccountDisabled(ctx, 999, true); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("disabling a missing account gives %v", err)
		}
		// Setting the same value again is not "not found" on MySQL.
		if err := db.SetAccountDisabled(ctx, a.ID, false); err != nil {
			t.Fatalf("an unchanged update gives %v", err)
		}

		tok := model.APIToken{StaffID: a.ID, Name: "办理系统", Hash: "abc"}
		if err := db.CreateAPIToken(ctx, &tok); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeAPIToken(ctx, a.ID+1, tok.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("revoking another account's token gives %v", err)
		}
		if err := db.RevokeAPIToken(ctx, a.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := db.GetAPITokenByHash(ctx, "abc"); err != nil || got.RevokedAt == nil {
			t.Fatalf("revoked token reads %+v, %v", got, err)
		}
		if _, err := db.GetAPITokenByHash(ctx, "zzz"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("unknown token gives %v", err)
		}
	})
}

func TestSessionStoreIgnoresAndPrunesExpiredSessions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		s := db.Sessions()
		if err := s.CommitCtx(ctx, "t1", []byte("one"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.CommitCtx(ctx, "t1", []byte("two"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if b, ok, err := s.FindCtx(ctx, "t1"); err != nil || !ok || string(b) != "two" {
			t.Fatalf("find after overwrite: %q %v %v", b, ok, err)
		}
		if _, ok, err := s.FindCtx(ctx, "nope"); ok || err != nil {
			t.Fatalf("unknown token: %v %v", ok, err)
		}
		now = now.Add(2 * time.Hour)
		if _, ok, err := s.FindCtx(ctx, "t1"); ok || err != nil {
			t.Fatalf("an expired session is found: %v %v", ok, err)
		}
		if n, err := s.PruneCtx(ctx); err != nil || n != 1 {
			t.Fatalf("prune removed %d, %v", n, err)
		}
		if err := s.Commit("t2", []byte("x"), now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete("t2"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Find("t2"); ok {
			t.Fatal("a deleted session is found")
		}
	})
}

func TestAuditLogFiltersAndPages(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		for i, action := range []string{"deputy.create", "deputy.update", "staff.create", "deputy.update"} {
			e := model.AuditEntry{StaffID: int64(i%2 + 1), StaffName: "甲", Action: action, Object: "deputy/1", Summary: "改了"}
			if err := db.AddAudit(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name string
			f    model.AuditFilter
			want int
		}{
			{"everything", model.AuditFilter{}, 4},
			{"one action", model.AuditFilter{Action: "deputy.update"}, 2},
			{"an action prefix", model.AuditFilter{Action: "deputy."}, 3},
			{"a prefix with LIKE metacharacters matches nothing", model.AuditFilter{Action: "%_."}, 0},
			{"one account", model.AuditFilter{StaffID: 2}, 2},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, total, err := db.ListAudit(ctx, tt.f)
				if err != nil || total != tt.want {
					t.Fatalf("total %d, %v; want %d", total, err, tt.want)
				}
			})
		}
		page, total, err := db.ListAudit(ctx, model.AuditFilter{Limit: 2, Offset: 1})
		if err != nil || total != 4 || len(page) != 2 || page[0].Action != "staff.create" {
			t.Fatalf("page 2 of 2: %+v %d %v", page, total, err)
		}
	})
}

func TestLoginFailuresAndDeliveryCounts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		for range 3 {
			if err := db.RecordLoginFailure(ctx, "u:li", time.Hour); err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Minute)
		}
		fails, err := db.LoginFailures(ctx, "u:li", now.Add(-150*time.Second), 10)
		if err != nil || len(fails) != 2 || !fails[0].After(fails[1]) {
			t.Fatalf("failures in the last 2.5 min: %v %v", fails, err)
		}
		now = now.Add(2 * time.Hour)
		if err := db.RecordLoginFailure(ctx, "u:li", time.Hour); err != nil {
			t.Fatal(err)
		}
		if fails, _ := db.LoginFailures(ctx, "u:li", time.Time{}, 10); len(fails) != 1 {
			t.Fatalf("old failures not pruned: %v", fails)
		}
		if err := db.ClearLoginFailures(ctx, "u:li"); err != nil {
			t.Fatal(err)
		}
		counts, err := db.CountDeliveriesSince(ctx, now.Add(-24*time.Hour))
		if err != nil || len(counts) != 0 {
			t.Fatalf("no deliveries yet: %v %v", counts, err)
		}
	})
}
