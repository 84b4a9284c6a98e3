package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// auditOf returns the audit entries with action, oldest first.
func auditOf(t *testing.T, db *storage.DB, action string) []model.AuditEntry {
	t.Helper()
	es, _, err := db.ListAudit(context.Background(), model.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

func TestBindingAttemptsOnBothDatabases(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := New(db, Options{Loc: time.UTC})
		wang := accessDeputy(t, db, "王芳", "13800131234", "")
		accessDeputy(t, db, "李强", "13900135678", "")
		accessDeputy(t, db, "李强", "13700135678", "")
		ended := accessDeputy(t, db, "赵敏", "13600130001", "")
		if err := db.TerminateDeputy(ctx, ended.ID, time.Now(), "调离"); err != nil {
			t.Fatal(err)
		}
		attempt := func(openid, name, digits string) BindResult {
			t.Helper()
			res, err := svc.Binding.Attempt(ctx, PublicActor(openid, ViaWeChat), name, digits)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}

		t.Run("the right name and phone digits bind, audited as the deputy", func(t *testing.T) {
			if res := attempt("o-wang", "王芳", "1234"); res.Outcome != BindDeputy || res.Name != "王芳" {
				t.Fatalf("got %+v", res)
			}
			d, err := db.GetDeputy(ctx, wang.ID)
			if err != nil || d.OpenID != "o-wang" {
				t.Fatalf("deputy after binding: %+v %v", d, err)
			}
			es := auditOf(t, db, "deputy.bind")
			if len(es) != 1 || es[0].StaffName != "代表 王芳" || es[0].Via != ViaWeChat || es[0].Object != "deputy/"+strconv.FormatInt(wang.ID, 10) {
				t.Fatalf("audit: %+v", es)
			}
		})
		t.Run("the same follower again is already bound; another is refused", func(t *testing.T) {
			if res := attempt("o-wang", "王芳", "1234"); res.Outcome != BindAlready || res.Name != "王芳" {
				t.Fatalf("got %+v", res)
			}
			// The right digits of a deputy bound to someone else get the
			// answer wrong digits get: no oracle for the digits.
			if res := attempt("o-other", "王芳", "1234"); res.Outcome != BindMismatch {
				t.Fatalf("got %+v", res)
			}
			if n := len(auditOf(t, db, "deputy.bind")); n != 1 {
				t.Fatalf("%d bind entries, want still 1", n)
			}
		})
		t.Run("two deputies matching, or a terminated one, bind nobody", func(t *testing.T) {
			if res := attempt("o-li", "李强", "5678"); res.Outcome != BindAmbiguous {
				t.Fatalf("got %+v", res)
			}
			if res := attempt("o-zhao", "赵敏", "0001"); res.Outcome != BindMismatch {
				t.Fatalf("got %+v", res)
			}
		})
		t.Run("a member code binds a member who is not a deputy, audited as the member", func(t *testing.T) {
			editor := StaffActor(model.Account{ID: 3, Username: "liaison", Name: "联络处", Role: model.RoleStaff}, ViaConsole)
			m, err := svc.Liaison.CreateMemberAs(ctx, editor, model.CommitteeMember{Name: "周委员"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			_, code, _, err := svc.Liaison.IssueMemberBindCodeAs(ctx, editor, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			issued := auditOf(t, db, "liaison.member.bind_code")
			if len(issued) != 1 || issued[0].StaffID != 3 || issued[0].StaffName != "联络处" ||
				issued[0].Object != fmt.Sprintf("member/%d", m.ID) || strings.Contains(issued[0].Summary, code) {
				t.Fatalf("the code's audit entry: %+v", issued)
			}
			if res := attempt("o-zhou", "周委员", code); res.Outcome != BindMember || res.Name != "周委员" {
				t.Fatalf("got %+v", res)
			}
			es := auditOf(t, db, "liaison.member.bind")
			if len(es) != 1 || es[0].StaffName != "委员 周委员" {
				t.Fatalf("audit: %+v", es)
			}
		})
		t.Run("five failures lock the follower for an hour after the last", func(t *testing.T) {
			by := PublicActor("o-guess", ViaWeChat)
			for i := 1; i < BindMaxFailures; i++ {
				if res := attempt("o-guess", "王芳", "0000"); res.Outcome != BindMismatch || res.Left != BindMaxFailures-i {
					t.Fatalf("attempt %d: %+v", i, res)
				}
			}
			if _, locked, err := svc.Binding.LockedUntil(ctx, by); err != nil || locked {
				t.Fatalf("locked before the last failure: %v %v", locked, err)
			}
			res := attempt("o-guess", "王芳", "0000")
			if res.Outcome != BindLocked || res.Until.Before(time.Now().Add(50*time.Minute)) {
				t.Fatalf("got %+v", res)
			}
			until, locked, err := svc.Binding.LockedUntil(ctx, by)
			if err != nil || !locked || !until.Equal(res.Until.Truncate(time.Second).UTC()) {
				t.Fatalf("lock: %v %v %v (want until %v)", until, locked, err, res.Until)
			}
		})
		t.Run("only a follower can attempt", func(t *testing.T) {
			if _, err := svc.Binding.Attempt(ctx, SystemActor("x"), "王芳", "1234"); err == nil {
				t.Fatal("a job bound a deputy")
			}
		})
	})
}
