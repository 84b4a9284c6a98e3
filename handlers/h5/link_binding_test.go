package h5_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/handlers/h5"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

var readURL = regexp.MustCompile(`data-read-url="([^"]+)"`)

// TestALinkEndsWhenTheDeputyIsUnboundOrTerminated replays the probe: a
// pushed link kept working after the deputy was unbound, and still took
// an RSVP. A link now speaks for its deputy only while they are bound to
// the WeChat user it was sent to and in office: unbinding ends it at once
// (the page, the RSVP post, and the reading link a material page gave),
// binding another WeChat user does not bring it back, and termination
// ends it too, each with a page in Chinese saying what to do.
func TestALinkEndsWhenTheDeputyIsUnboundOrTerminated(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newH5World(t, db, h5.OAuth{})
		ctx := context.Background()
		svc := core.New(db, core.Options{Now: w.clock.Now})
		staff := core.CLIActor(model.Account{}, "test")
		now := w.clock.Now()
		m := model.Meeting{Kind: "session", Title: "省人大常委会会议", StartsAt: now.Add(72 * time.Hour), RSVPDeadline: now.Add(48 * time.Hour)}
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Meetings.Invite(ctx, staff, m.ID, model.Audience{DeputyIDs: []int64{w.deputy.ID}}); err != nil {
			t.Fatal(err)
		}
		_, link := w.deliver(t, model.Notice{Kind: "meeting", Title: "列席邀请", Body: "诚邀您列席会议。", RefKind: "meeting", RefID: m.ID})
		mat := model.Material{Title: "代表法", Body: "第一条", PublishedAt: now.Add(-time.Hour)}
		if err := db.CreateMaterial(ctx, &mat); err != nil {
			t.Fatal(err)
		}
		_, matLink := w.deliver(t, model.Notice{Kind: "material", Title: "学习材料", RefKind: "material", RefID: mat.ID})
		page := w.get(t, matLink)
		mustContain(t, page, http.StatusOK, "第一条")
		found := readURL.FindStringSubmatch(page.body)
		if found == nil {
			t.Fatalf("no reading link on the material page:\n%s", page.body)
		}
		reading := html.UnescapeString(found[1])
		if r := w.do(t, http.MethodPost, reading, url.Values{"seconds": {"30"}}, nil); r.status != http.StatusNoContent {
			t.Fatalf("the reading link while bound: %d", r.status)
		}
		mustContain(t, w.get(t, link), http.StatusOK, "省人大常委会会议", ">参加</button>")

		if _, err := svc.Binding.Unbind(ctx, staff, w.deputy.ID); err != nil {
			t.Fatal(err)
		}
		unbound := []string{"链接已失效", "解除绑定", "回复“绑定”"}
		mustContain(t, w.get(t, link), http.StatusForbidden, unbound...)
		mustNotContain(t, w.get(t, link), "省人大常委会会议")
		r, _ := w.post(t, postPath(link, "rsvp"), url.Values{"status": {"attend"}})
		mustContain(t, r, http.StatusForbidden, unbound...)
		if inv, err := db.GetInvitation(ctx, m.ID, w.deputy.ID); err != nil || inv.Status != model.RSVPPending {
			t.Fatalf("the RSVP after the unbind: %+v %v", inv, err)
		}
		if r := w.do(t, http.MethodPost, reading, url.Values{"seconds": {"30"}}, nil); r.status != http.StatusForbidden {
			t.Fatalf("the reading link after the unbind: %d", r.status)
		}
		mustContain(t, w.get(t, matLink), http.StatusForbidden, unbound...)

		// Bound again, from another WeChat user: the old links stay dead.
		if err := db.BindDeputy(ctx, w.deputy.ID, "oid-wang-new-phone"); err != nil {
			t.Fatal(err)
		}
		mustContain(t, w.get(t, link), http.StatusForbidden, unbound...)
		if r := w.do(t, http.MethodPost, reading, url.Values{"seconds": {"30"}}, nil); r.status != http.StatusForbidden {
			t.Fatalf("the reading link after binding another WeChat user: %d", r.status)
		}

		// Bound again to the WeChat user the link went to: it is theirs again.
		if _, err := svc.Binding.Unbind(ctx, staff, w.deputy.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.BindDeputy(ctx, w.deputy.ID, "oid-wang"); err != nil {
			t.Fatal(err)
		}
		mustContain(t, w.get(t, link), http.StatusOK, "省人大常委会会议")

		// Termination ends it, though the binding stays.
		if _, err := core.NewRegistry(db).TerminateAs(ctx, staff, w.deputy.ID, now.Format(time.DateOnly), true, "调离本省"); err != nil {
			t.Fatal(err)
		}
		ended := []string{"代表资格已终止", "联系省人大常委会代表工作机构"}
		mustContain(t, w.get(t, link), http.StatusForbidden, ended...)
		r, _ = w.post(t, postPath(link, "rsvp"), url.Values{"status": {"attend"}})
		mustContain(t, r, http.StatusForbidden, ended...)
		if inv, err := db.GetInvitation(ctx, m.ID, w.deputy.ID); err != nil || inv.Status != model.RSVPPending {
			t.Fatalf("the RSVP after the termination: %+v %v", inv, err)
		}
		if r := w.do(t, http.MethodPost, reading, url.Values{"seconds": {"30"}}, nil); r.status != http.StatusForbidden {
			t.Fatalf("the reading link after the termination: %d", r.status)
		}
	})
}
