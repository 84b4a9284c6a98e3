package wechatsim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestUserSideAllModes(t *testing.T) {
	for _, mode := range []Mode{ModePlain, ModeCompatible, ModeSafe} {
		t.Run(mode.String(), func(t *testing.T) {
			s, _, _, bot := newTestSim(t, mode)
			ctx := context.Background()
			u := s.User("sim-user-1")
			if _, err := u.SendText(ctx, "你好"); !errors.Is(err, ErrNotFollowing) {
				t.Fatalf("text before follow: err = %v", err)
			}
			rep, err := u.Follow(ctx)
			if err != nil || rep.Status != 200 || rep.Msg != nil {
				t.Fatalf("follow: %+v %v", rep, err)
			}
			rep, err = u.SendText(ctx, "我的建议 ]]> <x>")
			if err != nil {
				t.Fatal(err)
			}
			if rep.Msg == nil || rep.Msg.Text != "收到：我的建议 ]]> <x>" || rep.Msg.Kind != KindPassive {
				t.Fatalf("reply = %+v", rep.Msg)
			}
			if _, err := u.Click(ctx, "MY_SUGGESTIONS"); err != nil {
				t.Fatal(err)
			}
			got := bot.received()
			if len(got) != 3 || got[0].Event != "subscribe" || got[1].Content != "我的建议 ]]> <x>" ||
				got[2].Event != "CLICK" || got[2].EventKey != "MY_SUGGESTIONS" || got[1].FromUserName != "sim-user-1" {
				t.Fatalf("bot received %+v", got)
			}
			// The wire format per mode.
			raw := string(bot.raw[1])
			hasPlain, hasEnc := strings.Contains(raw, "<Content>"), strings.Contains(raw, "<Encrypt>")
			want := map[Mode][2]bool{ModePlain: {true, false}, ModeCompatible: {true, true}, ModeSafe: {false, true}}[mode]
			if hasPlain != want[0] || hasEnc != want[1] {
				t.Fatalf("body plain=%v enc=%v: %s", hasPlain, hasEnc, raw)
			}
			var kinds []string
			for _, m := range s.Messages("sim-user-1") {
				kinds = append(kinds, m.Kind+"/"+m.MsgType)
			}
			if strings.Join(kinds, ",") != "user/event,user/text,passive/text,user/event" {
				t.Fatalf("recorded %v", kinds)
			}
		})
	}
}

func TestCompatibleModeAcceptsPlainReply(t *testing.T) {
	s, _, _, bot := newTestSim(t, ModeCompatible)
	bot.plainReply = true
	u := s.User("u1")
	ctx := context.Background()
	u.Follow(ctx)
	rep, err := u.SendText(ctx, "学习")
	if err != nil || rep.Msg == nil || rep.Msg.Text != "收到：学习" {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestReplyVerification(t *testing.T) {
	cases := []struct {
		name  string
		mode  Mode
		setup func(b *testBot)
		want  error
	}{
		{"bad reply signature", ModeSafe, func(b *testBot) { b.corruptSig = true }, ErrReplySignature},
		{"plain reply in safe mode", ModeSafe, func(b *testBot) { b.plainReply = true }, ErrBadReply},
		{"wrong ToUserName", ModePlain, func(b *testBot) {
			b.reply = func(in inbound) string {
				if in.MsgType != "text" {
					return ""
				}
				in.FromUserName = "someone"
				return textReply(in, "x")
			}
		}, ErrBadReply},
		{"malformed xml", ModePlain, func(b *testBot) {
			b.reply = func(in inbound) string {
				if in.MsgType != "text" {
					return ""
				}
				return "<xml><oops>"
			}
		}, ErrBadReply},
		{"wrong token", ModePlain, func(b *testBot) { b.token = "other" }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _, _, bot := newTestSim(t, c.mode)
			c.setup(bot)
			u := s.User("u1")
			_, err := u.Follow(context.Background())
			if c.want == nil { // wrong token: the follow itself is refused
				var se *StatusError
				if !errors.As(err, &se) || se.Status != http.StatusForbidden {
					t.Fatalf("err = %v, want 403", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("follow: %v", err)
			}
			rep, err := u.SendText(context.Background(), "hi")
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v (reply %+v)", err, c.want, rep)
			}
			msgs := s.Messages("u1")
			if last := msgs[len(msgs)-1]; last.Kind != KindSystem || last.Text != NoServiceText {
				t.Fatalf("last message %+v", last)
			}
		})
	}
}

func TestNewsReplyParsed(t *testing.T) {
	s, _, _, bot := newTestSim(t, ModeSafe)
	bot.reply = func(in inbound) string {
		if in.MsgType != "text" {
			return ""
		}
		return fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
			"<CreateTime>1</CreateTime><MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles><item>"+
			"<Title><![CDATA[学习材料]]></Title><Description><![CDATA[第一讲]]></Description><PicUrl><![CDATA[]]></PicUrl>"+
			"<Url><![CDATA[https://example.org/h5/1]]></Url></item></Articles></xml>", in.FromUserName, in.ToUserName)
	}
	u := s.User("u1")
	u.Follow(context.Background())
	rep, err := u.SendText(context.Background(), "学习")
	if err != nil || rep.Msg == nil || len(rep.Msg.Articles) != 1 || rep.Msg.Articles[0].URL != "https://example.org/h5/1" {
		t.Fatalf("%+v %v", rep.Msg, err)
	}
}

func TestRetriesAndRedeliver(t *testing.T) {
	clk := newClock()
	bot := newTestBot(t, ModeSafe)
	release := make(chan struct{})
	bot.hold = func(r *http.Request, n int) {
		if n == 1 { // first delivery hangs past the reply timeout
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
	}
	defer close(release)
	s := New(Config{AppID: testAppID, AppSecret: testSecret, Token: testToken, EncodingAESKey: testAESKey,
		Mode: ModeSafe, CallbackURL: bot.URL(), Now: clk.Now, ReplyTimeout: 200 * time.Millisecond})
	defer s.Close()
	u := s.User("u1")
	ctx := context.Background()
	rep, err := u.Follow(ctx)
	if err != nil {
		t.Fatalf("follow after retry: %v", err)
	}
	if got := bot.received(); len(got) != 2 || got[0].Event != "subscribe" || got[1].Event != "subscribe" {
		t.Fatalf("deliveries %+v", got)
	}
	_ = rep
	if _, err := u.SendTextWithID(ctx, "同意", 42); err != nil {
		t.Fatal(err)
	}
	if _, err := u.SendTextWithID(ctx, "同意", 42); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Redeliver(ctx); err != nil {
		t.Fatal(err)
	}
	got := bot.received()
	if len(got) != 5 || got[3].MsgId != 42 || got[4].MsgId != 42 {
		t.Fatalf("deliveries %+v", got)
	}
	if !bytes.Equal(bot.raw[3], bot.raw[4]) {
		t.Fatal("Redeliver changed the body")
	}
	users := 0
	for _, m := range s.Messages("u1") {
		if m.Kind == KindUser && m.MsgType == "text" {
			users++
		}
	}
	if users != 1 {
		t.Fatalf("user text recorded %d times, want 1", users)
	}
}

func TestAllDeliveriesTimeOut(t *testing.T) {
	bot := newTestBot(t, ModePlain)
	bot.hold = func(r *http.Request, n int) { <-r.Context().Done() }
	s := New(Config{Token: testToken, CallbackURL: bot.URL(), ReplyTimeout: 50 * time.Millisecond})
	defer s.Close()
	_, err := s.User("u1").Follow(context.Background())
	if !errors.Is(err, ErrNoService) {
		t.Fatalf("err = %v", err)
	}
	if n := len(bot.received()); n != 3 {
		t.Fatalf("%d deliveries, want 3", n)
	}
}

func TestScanAndDeliver(t *testing.T) {
	s, _, _, bot := newTestSim(t, ModePlain)
	u := s.User("u1")
	ctx := context.Background()
	u.Scan(ctx, "meeting-7")
	u.Scan(ctx, "meeting-8")
	if _, err := u.Deliver(ctx, []byte("<xml><ToUserName>gh_deputybotsim</ToUserName><FromUserName>u1</FromUserName><MsgType>text</MsgType><Content>raw</Content><MsgId>9</MsgId></xml>")); err != nil {
		t.Fatal(err)
	}
	got := bot.received()
	if got[0].Event != "subscribe" || got[0].EventKey != "qrscene_meeting-7" || got[1].Event != "SCAN" ||
		got[1].EventKey != "meeting-8" || got[2].Content != "raw" {
		t.Fatalf("%+v", got)
	}
	if !u.Info().Following {
		t.Fatal("scan did not subscribe")
	}
	u.Unfollow(ctx)
	if u.Info().Following {
		t.Fatal("still following")
	}
}

func TestWaitFor(t *testing.T) {
	s, _, api, _ := newTestSim(t, ModePlain)
	u := s.User("u1")
	u.Follow(context.Background())
	tok := token(t, api)
	done := make(chan Message, 1)
	go func() {
		m, err := s.WaitFor(context.Background(), "u1", func(m Message) bool { return m.Kind == KindCustom })
		if err != nil {
			t.Error(err)
		}
		done <- m
	}()
	call(t, api, "POST", "/cgi-bin/message/custom/send?access_token="+tok,
		map[string]any{"touser": "u1", "msgtype": "text", "text": map[string]string{"content": "异步回复"}})
	if m := <-done; m.Text != "异步回复" {
		t.Fatalf("got %+v", m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.WaitFor(ctx, "u1", func(m Message) bool { return m.Text == "never" }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

func TestVerifyCallback(t *testing.T) {
	s, _, _, bot := newTestSim(t, ModeSafe)
	if err := s.VerifyCallback(context.Background()); err != nil {
		t.Fatal(err)
	}
	bot.token = "wrong"
	var se *StatusError
	if err := s.VerifyCallback(context.Background()); !errors.As(err, &se) || se.Status != 403 {
		t.Fatalf("err = %v", err)
	}
}
