package notify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/handlers/h5"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// TestAStaffReplyReachesTheSender: a message left in the chat is answered
// by staff; inside the 48-hour window the answer goes as a
// customer-service message with its text, after it as a template message
// whose page shows the message and every answer, to a citizen as to a
// deputy.
func TestAStaffReplyReachesTheSender(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, notify.Config{}, 5*time.Second)
		ctx := context.Background()
		svc := core.New(db, core.Options{Now: r.clock.Now, Loc: shanghai})
		staff := core.CLIActor(model.Account{}, "test")
		signer, err := notify.NewSigner(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		pages := httptest.NewServer(h5.Handler(h5.Deps{Services: svc, Signer: signer, Log: quiet, PublicURL: "https://deputy.example"}))
		t.Cleanup(pages.Close)
		open := func(t *testing.T, link string) string {
			t.Helper()
			u, err := url.Parse(link)
			if err != nil || u.Host != "deputy.example" || !strings.HasPrefix(u.Path, "/h5/d/") {
				t.Fatalf("the push links to %q", link)
			}
			res, err := http.Get(pages.URL + u.RequestURI())
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("the page answered %d: %s", res.StatusCode, b)
			}
			return string(b)
		}
		dispatch := func(t *testing.T) {
			t.Helper()
			if n, err := r.disp.DispatchOnce(ctx); err != nil || n != 1 {
				t.Fatalf("dispatched %d: %v", n, err)
			}
			if err := r.sim.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		last := func(t *testing.T, openid string) wechatsim.Message {
			t.Helper()
			ms := r.sim.Messages(openid)
			for i := len(ms) - 1; i >= 0; i-- {
				if ms[i].Kind == wechatsim.KindTemplate || ms[i].Kind == wechatsim.KindCustom {
					return ms[i]
				}
			}
			t.Fatalf("nothing pushed to %s", openid)
			return wechatsim.Message{}
		}

		u := r.sim.User("o-reply-citizen")
		if _, err := u.Follow(ctx); err != nil {
			t.Fatal(err)
		}
		reply, err := u.SendText(ctx, "村口的路灯坏了两个月了，希望尽快修好。")
		if err != nil || reply.Msg == nil || !strings.Contains(reply.Msg.Text, "已收到您的留言") {
			t.Fatalf("the receipt: %+v %v", reply, err)
		}
		ms, _, err := svc.Messages.List(ctx, staff, model.MessageFilter{OpenID: "o-reply-citizen"})
		if err != nil || len(ms) != 1 {
			t.Fatalf("the inbox: %+v %v", ms, err)
		}
		m := ms[0]

		t.Run("inside the 48-hour window the answer is a customer-service message with its text", func(t *testing.T) {
			r.clock.Add(3 * time.Hour)
			if _, err := svc.Messages.Reply(ctx, staff, m.ID, "您好，已通知村委会，本周内修复。"); err != nil {
				t.Fatal(err)
			}
			dispatch(t)
			got := last(t, "o-reply-citizen")
			if got.Kind != wechatsim.KindCustom || !strings.Contains(got.Text, "本周内修复") || !strings.Contains(got.Text, m.Receipt) {
				t.Fatalf("pushed %+v", got)
			}
			th, err := svc.Messages.Get(ctx, staff, m.ID)
			if err != nil || th.Replies[0].DeliveryStatus != model.DeliverySent || th.Replies[0].DeliveryChannel != "custom" {
				t.Fatalf("the reply's delivery: %+v %v", th.Replies, err)
			}
		})
		t.Run("after it, a template message links to a page with the message and its answers", func(t *testing.T) {
			r.clock.Add(48 * time.Hour)
			if _, err := svc.Messages.Reply(ctx, staff, m.ID, "路灯已修复，感谢您的反映。"); err != nil {
				t.Fatal(err)
			}
			dispatch(t)
			got := last(t, "o-reply-citizen")
			if got.Kind != wechatsim.KindTemplate || got.URL == "" {
				t.Fatalf("pushed %+v", got)
			}
			page := open(t, got.URL)
			for _, want := range []string{m.Receipt, "村口的路灯坏了两个月了", "本周内修复", "路灯已修复，感谢您的反映。"} {
				if !strings.Contains(page, want) {
					t.Errorf("the page lacks %q:\n%s", want, page)
				}
			}
			th, _ := svc.Messages.Get(ctx, staff, m.ID)
			if last := th.Replies[len(th.Replies)-1]; last.DeliveryStatus != model.DeliveryRead || last.DeliveryChannel != "template" {
				t.Fatalf("the second reply's delivery after the page was opened: %+v", last)
			}
		})
		t.Run("我的留言 lists the message with its status and latest answer", func(t *testing.T) {
			got, err := u.SendText(ctx, "我的留言")
			if err != nil || got.Msg == nil {
				t.Fatalf("%+v %v", got, err)
			}
			for _, want := range []string{m.Receipt, "已答复", "村口的路灯", "路灯已修复"} {
				if !strings.Contains(got.Msg.Text, want) {
					t.Errorf("我的留言 lacks %q: %q", want, got.Msg.Text)
				}
			}
			if n, _, _ := svc.Messages.List(ctx, staff, model.MessageFilter{OpenID: "o-reply-citizen"}); len(n) != 1 {
				t.Fatalf("我的留言 was stored as a message: %d", len(n))
			}
		})
		t.Run("a deputy's answer page shows their message too", func(t *testing.T) {
			d := model.Deputy{Name: "答复代表", Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: "13855550001"}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			if err := db.BindDeputy(ctx, d.ID, "o-reply-deputy"); err != nil {
				t.Fatal(err)
			}
			du := r.sim.User("o-reply-deputy")
			if _, err := du.Follow(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := du.SendText(ctx, "请问今年的代表培训班什么时候报名？"); err != nil {
				t.Fatal(err)
			}
			ms, _, err := svc.Messages.List(ctx, staff, model.MessageFilter{DeputyID: d.ID})
			if err != nil || len(ms) != 1 {
				t.Fatalf("the deputy's message: %+v %v", ms, err)
			}
			r.clock.Add(49 * time.Hour)
			if _, err := svc.Messages.Reply(ctx, staff, ms[0].ID, "报名将于下月初开始，届时会另行通知。"); err != nil {
				t.Fatal(err)
			}
			dispatch(t)
			got := last(t, "o-reply-deputy")
			page := open(t, got.URL)
			if got.Kind != wechatsim.KindTemplate || !strings.Contains(page, "什么时候报名") || !strings.Contains(page, "下月初开始") {
				t.Fatalf("pushed %+v, page:\n%s", got, page)
			}
		})
	})
}
