package core

import (
	"context"
	"errors"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// accessDeputy adds a deputy, bound to openid unless it is "".
func accessDeputy(t *testing.T, db *storage.DB, name, phone, openid string) model.Deputy {
	t.Helper()
	ctx := context.Background()
	d := model.Deputy{Name: name, Level: model.LevelProvincial, Delegation: "济南市代表团", Phone: phone}
	if err := db.CreateDeputy(ctx, &d); err != nil {
		t.Fatal(err)
	}
	if openid != "" {
		if err := db.BindDeputy(ctx, d.ID, openid); err != nil {
			t.Fatal(err)
		}
		d.OpenID = openid
	}
	return d
}

// sentDelivery pushes a notice to d through a campaign and records it
// sent, as the dispatcher would; it returns the delivery.
func sentDelivery(t *testing.T, db *storage.DB, d model.Deputy, title string) model.Delivery {
	t.Helper()
	ctx := context.Background()
	n := model.Notice{Kind: "notice", Title: title, Body: "正文"}
	c := model.Campaign{Audience: model.Audience{DeputyIDs: []int64{d.ID}}}
	if err := db.CreateCampaign(ctx, &n, &c); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ExpandBatch(ctx, c, "c:"+title, false, 0, 100); err != nil {
		t.Fatal(err)
	}
	rows, err := db.ClaimDue(ctx, "test", time.Now(), 100, time.Minute, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.NoticeID != n.ID {
			continue
		}
		err := db.FinishDeliveries(ctx, time.Now().Format(time.DateOnly),
			[]model.Outcome{{ID: r.ID, Status: model.DeliverySent, MsgID: 9000 + r.ID, Channel: "template"}})
		if err != nil {
			t.Fatal(err)
		}
		del, err := db.GetDelivery(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return del
	}
	t.Fatalf("no delivery claimed for notice %d", n.ID)
	return model.Delivery{}
}

func TestAPushLinkActsForTheDeputyItWentTo(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		a := New(db, Options{}).Access
		wang := accessDeputy(t, db, "王建国", "13800000001", "oid-wang")
		li := accessDeputy(t, db, "李秀英", "13800000002", "oid-li")
		del := sentDelivery(t, db, wang, "视察通知")

		t.Run("the link of the deputy it went to opens it with its notice", func(t *testing.T) {
			l, err := a.Link(ctx, del.ID, wang.ID)
			if err != nil {
				t.Fatal(err)
			}
			if l.Delivery.ID != del.ID || l.Notice.Title != "视察通知" || l.Deputy.ID != wang.ID {
				t.Fatalf("linked %+v", l)
			}
			if by := l.Actor(); by.Deputy.ID != wang.ID || by.Via != ViaH5 || by.OpenID != "oid-wang" {
				t.Fatalf("actor %+v", by)
			}
		})
		t.Run("a link naming another deputy is forbidden", func(t *testing.T) {
			if _, err := a.Link(ctx, del.ID, li.ID); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("another deputy's link: %v", err)
			}
		})
		t.Run("a link to a delivery that does not exist is not found", func(t *testing.T) {
			if _, err := a.Link(ctx, del.ID+1000, wang.ID); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("missing delivery: %v", err)
			}
		})
		t.Run("only the deputy it went to marks it read", func(t *testing.T) {
			err := a.MarkRead(ctx, DeputyActor(li, ViaH5), del)
			if !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("another deputy marking read: %v", err)
			}
			if got, _ := db.GetDelivery(ctx, del.ID); got.Status != model.DeliverySent {
				t.Fatalf("after a refused mark: %s", got.Status)
			}
			if err := a.MarkRead(ctx, DeputyActor(wang, ViaH5), del); err != nil {
				t.Fatal(err)
			}
			if got, _ := db.GetDelivery(ctx, del.ID); got.Status != model.DeliveryRead || !got.ReadAt.Valid {
				t.Fatalf("after opening: %s (read at %v)", got.Status, got.ReadAt)
			}
			storagetest.CampaignCountsRight(t, db)
		})
	})
}

func TestAWeChatPageActsOnlyForABoundDeputyInOffice(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		a := New(db, Options{}).Access
		bound := accessDeputy(t, db, "王建国", "13800000001", "oid-wang")
		unbound := accessDeputy(t, db, "李秀英", "13800000002", "")
		ended := accessDeputy(t, db, "张志强", "13800000003", "oid-zhang")
		if err := db.TerminateDeputy(ctx, ended.ID, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), "辞职"); err != nil {
			t.Fatal(err)
		}

		if d, err := a.SignIn(ctx, "oid-wang"); err != nil || d.ID != bound.ID {
			t.Fatalf("sign in of a bound deputy: %+v %v", d, err)
		}
		if d, err := a.SessionDeputy(ctx, bound.ID); err != nil || d.ID != bound.ID {
			t.Fatalf("session of a bound deputy: %+v %v", d, err)
		}
		for _, openid := range []string{"oid-nobody", ""} {
			if _, err := a.SignIn(ctx, openid); !errors.Is(err, ErrNotBound) {
				t.Fatalf("sign in of %q: %v", openid, err)
			}
		}
		if _, err := a.SessionDeputy(ctx, unbound.ID); !errors.Is(err, ErrNotBound) {
			t.Fatalf("session of an unbound deputy: %v", err)
		}
		if _, err := a.SessionDeputy(ctx, unbound.ID+1000); !errors.Is(err, ErrNotBound) {
			t.Fatalf("session of a deputy who does not exist: %v", err)
		}
		if d, err := a.SignIn(ctx, "oid-zhang"); !errors.Is(err, ErrTermEnded) || d.ID != ended.ID {
			t.Fatalf("sign in of a deputy whose term ended: %+v %v", d, err)
		}
		if _, err := a.SessionDeputy(ctx, ended.ID); !errors.Is(err, ErrTermEnded) {
			t.Fatalf("session of a deputy whose term ended: %v", err)
		}
		// Unbinding ends the session at once.
		if _, err := db.UnbindDeputy(ctx, bound.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.SessionDeputy(ctx, bound.ID); !errors.Is(err, ErrNotBound) {
			t.Fatalf("session after unbinding: %v", err)
		}
	})
}
