package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// Quick lets the rig's gateway take the quick path whenever the handler
// behind the switch can: the rig then runs what production runs.
func (s *switchHandler) Quick(ctx context.Context, in bot.Inbound) (string, bot.Path, error) {
	if q, ok := (*s.h.Load()).(bot.QuickHandler); ok {
		return q.Quick(ctx, in)
	}
	return "", bot.FullPath, nil
}

func TestAHelpWordIsRecordedWithItsReplyAndAnsweredAlikeWhenRedelivered(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		d := addDeputy(t, db, "李明", "13900002222")
		if err := db.BindDeputy(ctx, d.ID, "o-quick"); err != nil {
			t.Fatal(err)
		}
		u := r.sim.User("o-quick")
		replyText(t)(u.Follow(ctx))
		before := countInbound(t, db)
		first := replyText(t)(u.SendTextWithID(ctx, "帮助", 660001))
		if !strings.HasPrefix(first, "李明代表，您好！") || !strings.Contains(first, "您可以回复") {
			t.Fatalf("帮助 answered %q", first)
		}
		again := replyText(t)(u.SendTextWithID(ctx, "帮助", 660001))
		if again != first {
			t.Fatalf("the re-delivery answered %q, want the first reply", again)
		}
		if got := countInbound(t, db) - before; got != 1 {
			t.Fatalf("%d stored messages for two deliveries, want 1", got)
		}
		in, err := db.GetInbound(ctx, "m:660001")
		if err != nil || in.State != model.InboundDone || !strings.Contains(in.Reply, "您可以回复") {
			t.Fatalf("stored %+v %v, want done with the reply", in, err)
		}
		f, err := db.GetFollower(ctx, "o-quick")
		if err != nil || !f.LastInboundAt.Valid {
			t.Fatalf("the message did not open the customer-message window: %+v %v", f, err)
		}
	})
}

// Concurrent quick answers share commits (the gateway's batcher): each
// message is recorded once with its own reply, and two deliveries of one
// message arriving together get the same answer.
func TestConcurrentHelpWordsAreRecordedOnceEachWithTheirOwnReply(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		const deputies = 24
		users := make([]*wechatsim.User, deputies)
		for i := range users {
			openid := fmt.Sprintf("o-batch-%d", i)
			d := addDeputy(t, db, fmt.Sprintf("代表%02d", i), fmt.Sprintf("139000033%02d", i))
			if err := db.BindDeputy(ctx, d.ID, openid); err != nil {
				t.Fatal(err)
			}
			users[i] = r.sim.User(openid)
			replyText(t)(users[i].Follow(ctx))
		}
		before := countInbound(t, db)
		// Each deputy's message is delivered twice at once.
		replies := make([]string, 2*deputies)
		errs := make(chan error, 2*deputies)
		var wg sync.WaitGroup
		for i := range replies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, err := users[i/2].SendTextWithID(ctx, "帮助", int64(770000+i/2))
				if err == nil && rep.Msg == nil {
					err = fmt.Errorf("message %d: no reply", i)
				}
				if err != nil {
					errs <- err
					return
				}
				replies[i] = rep.Msg.Text
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for i := 0; i < deputies; i++ {
			name := fmt.Sprintf("代表%02d代表，您好！", i)
			if !strings.HasPrefix(replies[2*i], name) || replies[2*i+1] != replies[2*i] {
				t.Fatalf("deputy %d answered %q and %q", i, replies[2*i], replies[2*i+1])
			}
			in, err := db.GetInbound(ctx, fmt.Sprintf("m:%d", 770000+i))
			if err != nil || in.State != model.InboundDone || !strings.Contains(in.Reply, name) {
				t.Fatalf("deputy %d stored %+v %v", i, in, err)
			}
		}
		if got := countInbound(t, db) - before; got != deputies {
			t.Fatalf("%d stored messages, want %d", got, deputies)
		}
	})
}

func TestAHelpWordInsideAConversationBelongsToTheConversation(t *testing.T) {
	r := newRig(t, storagetest.Open(t, storage.SQLite), rigOptions{mode: wechatsim.ModeSafe})
	ctx := context.Background()
	u := r.sim.User("o-quick-conv")
	replyText(t)(u.Follow(ctx))
	replyText(t)(u.SendText(ctx, "绑定"))
	got := replyText(t)(u.SendText(ctx, "帮助"))
	if strings.Contains(got, "您可以回复") {
		t.Fatalf("帮助 during binding answered the general help: %q", got)
	}
	if c, err := r.db.GetConversation(ctx, "o-quick-conv"); err != nil || c.Flow != "bind" {
		t.Fatalf("conversation %+v %v", c, err)
	}
}

// TestAnImageWeChatDoesNotGiveIsNotStored: a photo whose media WeChat
// refuses (an unknown MediaId) is not stored, and the sender is told.
func TestAnImageWeChatDoesNotGiveIsNotStored(t *testing.T) {
	r := newRig(t, storagetest.Open(t, storage.SQLite), rigOptions{mode: wechatsim.ModeSafe})
	ctx := context.Background()
	u := r.sim.User("o-quick-img")
	replyText(t)(u.Follow(ctx))
	img := fmt.Sprintf("<xml><ToUserName><![CDATA[gh_deputybotsim]]></ToUserName><FromUserName><![CDATA[o-quick-img]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[image]]></MsgType><MediaId><![CDATA[m1]]></MediaId><MsgId>660101</MsgId></xml>", time.Now().Unix())
	got := replyText(t)(u.Deliver(ctx, []byte(img)))
	want, err := r.router.Texts.Render("inbox.media_failed", map[string]any{"What": "照片"})
	if err != nil || got != want {
		t.Fatalf("an image answered %q, want %q (%v)", got, want, err)
	}
	if ms := inboxOf(t, r, "o-quick-img"); len(ms) != 0 {
		t.Fatalf("stored %+v", ms)
	}
}

func TestATemplateReportUpdatesItsDeliveryWithoutADedupeRecord(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		now := time.Now().UTC()
		res, err := db.SQL().ExecContext(ctx, `INSERT INTO notices (kind, title, body, fields, created_at) VALUES (?, ?, ?, ?, ?)`,
			"general_notice", "通知", "正文", "{}", now)
		if err != nil {
			t.Fatal(err)
		}
		notice, _ := res.LastInsertId()
		res, err = db.SQL().ExecContext(ctx, `INSERT INTO deliveries (source, notice_id, deputy_id, openid, status, msgid, next_at, created_at, sent_at)
			VALUES ('quick', ?, 1, 'o-report', ?, 660201, ?, ?, ?)`, notice, model.DeliverySent, now, now, now)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		before := countInbound(t, db)
		report := func(msgid int64) {
			t.Helper()
			x := fmt.Sprintf("<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o-report]]></FromUserName>"+
				"<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>"+
				"<MsgID>%d</MsgID><Status><![CDATA[success]]></Status></xml>", now.Unix(), msgid)
			rep, err := r.sim.User("o-report").Deliver(ctx, []byte(x))
			if err != nil || rep.Msg != nil || string(rep.Body) != "success" {
				t.Fatalf("report answered %q %v, want success", rep.Body, err)
			}
		}
		report(660201)
		report(660201) // WeChat's retry
		dl, err := db.GetDelivery(ctx, id)
		if err != nil || dl.Status != model.DeliveryDelivered {
			t.Fatalf("delivery %+v %v, want delivered", dl, err)
		}
		// A report for a send not recorded yet is kept for the outbox.
		report(660202)
		if status, err := db.TemplateReport(ctx, 660202); err != nil || status != "success" {
			t.Fatalf("kept report %q %v", status, err)
		}
		if got := countInbound(t, db) - before; got != 0 {
			t.Fatalf("%d dedupe records for template reports, want none", got)
		}
	})
}

// quickStub answers quickly as told, and counts the calls that reached
// the full path.
type quickStub struct {
	quick func() (string, bot.Path, error)
	full  atomic.Int32
}

func (q *quickStub) Quick(context.Context, bot.Inbound) (string, bot.Path, error) { return q.quick() }

func (q *quickStub) Handle(context.Context, bot.Inbound) (string, error) {
	q.full.Add(1)
	return "完整处理", nil
}

func TestAQuickAnswerThatCannotBeGivenTakesTheFullPath(t *testing.T) {
	tests := []struct {
		name  string
		quick func() (string, bot.Path, error)
		want  string
		full  int32
	}{
		{"a quick answer is given as it is", func() (string, bot.Path, error) { return "快速回复", bot.Answered, nil }, "快速回复", 0},
		{"a message the handler leaves to the full path is handled there", func() (string, bot.Path, error) { return "", bot.FullPath, nil }, "完整处理", 1},
		{"a failed quick answer is retried on the full path", func() (string, bot.Path, error) { return "", bot.Answered, errors.New("database blinked") }, "完整处理", 1},
		{"a panicking quick answer is retried on the full path", func() (string, bot.Path, error) { panic("boom") }, "完整处理", 1},
		{"an answer longer than one message takes the full path", func() (string, bot.Path, error) {
			return strings.Repeat("很长的回复。\n", 400), bot.Answered, nil
		}, "完整处理", 1},
	}
	r := newRig(t, storagetest.Open(t, storage.SQLite), rigOptions{mode: wechatsim.ModeSafe})
	ctx := context.Background()
	u := r.sim.User("o-quick-stub")
	replyText(t)(u.Follow(ctx))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := &quickStub{quick: tt.quick}
			r.handler.set(stub)
			got := replyText(t)(u.SendTextWithID(ctx, "你好", int64(660300+i)))
			if got != tt.want {
				t.Fatalf("answered %q, want %q", got, tt.want)
			}
			if n := stub.full.Load(); n != tt.full {
				t.Fatalf("%d calls reached the full path, want %d", n, tt.full)
			}
		})
	}
}

// A command that only reads (我的会议, 我的建议, 学习), sent outside any
// conversation, is answered on the quick path with the very reply the full
// path gives; inside a conversation, a command that writes (已学1) and a
// deputy whose term ended go down the full path.
func TestAReadOnlyCommandOutsideAConversationIsAnsweredQuickly(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		d := addDeputy(t, db, "王芳", "13900004444")
		if err := db.BindDeputy(ctx, d.ID, "o-quick-read"); err != nil {
			t.Fatal(err)
		}
		msg := func(text string) bot.Inbound {
			return bot.Inbound{FromUserName: "o-quick-read", MsgType: "text", Content: text, CreateTime: time.Now().Unix()}
		}
		for _, word := range []string{"我的会议", "我的建议", "学习"} {
			quick, how, err := r.router.Quick(ctx, msg(word))
			if err != nil || how != bot.Answered {
				t.Fatalf("%s: quick path %v, %v; want answered", word, how, err)
			}
			full, err := r.router.Handle(ctx, msg(word))
			if err != nil || quick != full || quick == "" {
				t.Fatalf("%s: quick %q, full %q (%v)", word, quick, full, err)
			}
		}
		if _, how, err := r.router.Quick(ctx, msg("已学1")); err != nil || how != bot.FullPath {
			t.Fatalf("已学1 (a write) took %v, %v; want the full path", how, err)
		}
		if _, err := r.router.Handle(ctx, msg("意见")); err != nil {
			t.Fatal(err)
		}
		if _, how, err := r.router.Quick(ctx, msg("我的会议")); err != nil || how != bot.FullPath {
			t.Fatalf("我的会议 in a conversation took %v, %v; want the full path (it parks the flow)", how, err)
		}
		if _, err := db.SQL().ExecContext(ctx, "DELETE FROM conversations WHERE openid = 'o-quick-read'"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, "UPDATE deputies SET status = ? WHERE id = ?", model.StatusEnded, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, how, err := r.router.Quick(ctx, msg("我的建议")); err != nil || how != bot.FullPath {
			t.Fatalf("a deputy whose term ended took %v, %v; want the full path", how, err)
		}
	})
}
