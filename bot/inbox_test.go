package bot_test

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

var messageReceipt = regexp.MustCompile(`LY\d{4}-\d{5}`)

// inboxOf lists the stored messages of openid, newest first, as staff see
// them.
func inboxOf(t *testing.T, r *rig, openid string) []model.Message {
	t.Helper()
	ms, _, err := r.router.Core.Messages.List(context.Background(), core.CLIActor(model.Account{}, "test"), model.MessageFilter{OpenID: openid})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestEveryTextNoFlowTakesIsAMessageWithAReceipt(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()

		t.Run("a bound deputy's free text is stored and the reply gives its number", func(t *testing.T) {
			d := boundDeputy(t, r, "留言代表", "13844440001", "o-inbox-deputy")
			got := chat(t, r.sim.User("o-inbox-deputy"), "我想请假因为要开会")
			expect(t, got, "已收到您的留言（编号 LY")
			ms := inboxOf(t, r, "o-inbox-deputy")
			if len(ms) != 1 || ms[0].DeputyID != d.ID || ms[0].Body != "我想请假因为要开会" || ms[0].Status != model.MessageUnread ||
				!strings.Contains(got[0], ms[0].Receipt) {
				t.Fatalf("stored %+v for reply %q", ms, got[0])
			}
		})

		t.Run("a follower who is not a deputy leaves a message instead of being told to bind", func(t *testing.T) {
			u := r.sim.User("o-inbox-citizen")
			replyText(t)(u.Follow(ctx))
			got := chat(t, u, "村口的路灯坏了两个月了，希望尽快修好。")
			expect(t, got, "已收到您的留言")
			if strings.Contains(got[0], "尚未绑定") {
				t.Fatalf("a citizen was told to bind: %q", got[0])
			}
			ms := inboxOf(t, r, "o-inbox-citizen")
			if len(ms) != 1 || ms[0].DeputyID != 0 || ms[0].Sender() != model.SenderPublic || !messageReceipt.MatchString(ms[0].Receipt) {
				t.Fatalf("stored %+v", ms)
			}
			// A deputy's command still says how to bind; a greeting is not stored.
			expect(t, chat(t, u, "我的会议", "你好"), "回复“绑定”", "直接发送文字留言")
			if n := len(inboxOf(t, r, "o-inbox-citizen")); n != 1 {
				t.Fatalf("%d messages after a command and a greeting, want 1", n)
			}
		})

		t.Run("留言 alone says how; 留言 with text stores the text", func(t *testing.T) {
			boundDeputy(t, r, "留言代表二", "13844440002", "o-inbox-word")
			u := r.sim.User("o-inbox-word")
			expect(t, chat(t, u, "我的留言", "留言", "留言：请寄送今年的学习材料", "我的留言"), "还没有留言", "直接发送", "已收到您的留言",
				"请寄送今年的学习材料")
			ms := inboxOf(t, r, "o-inbox-word")
			if len(ms) != 1 || ms[0].Body != "请寄送今年的学习材料" {
				t.Fatalf("stored %+v", ms)
			}
		})

		t.Run("意见 followed by its text becomes an opinion after one confirmation", func(t *testing.T) {
			d := boundDeputy(t, r, "意见代表甲", "13844440003", "o-inbox-opinion")
			u := r.sim.User("o-inbox-opinion")
			text := "建议增加农村公交班次，方便群众出行。"
			got := chat(t, u, "意见 "+text, "是")
			expect(t, got, "确认", "回执编号")
			if !strings.Contains(got[0], text) {
				t.Fatalf("the confirmation does not show the text: %q", got[0])
			}
			ops, err := db.OpinionsOfDeputy(ctx, d.ID, 10)
			if err != nil || len(ops) != 1 || ops[0].Body != text || ops[0].Category != model.OpinionOther {
				t.Fatalf("stored %+v %v", ops, err)
			}
			if n := len(inboxOf(t, r, "o-inbox-opinion")); n != 0 {
				t.Fatalf("the opinion was also stored as %d messages", n)
			}
			// 否 then 放弃 drops it, and 返回 goes back to the text.
			expect(t, chat(t, u, "意见：另一条意见", "返回", "改写后的意见", "完成", "否", "放弃"), "确认", "输入您的意见", "已记录", "确认",
				"要修改哪一项", "未提交")
			if ops, _ := db.OpinionsOfDeputy(ctx, d.ID, 10); len(ops) != 1 {
				t.Fatalf("a declined opinion was stored: %+v", ops)
			}
		})

		t.Run("a voice message keeps its recognition as a message of kind voice", func(t *testing.T) {
			boundDeputy(t, r, "语音代表", "13844440005", "o-inbox-voice")
			xml := `<xml><ToUserName><![CDATA[gh_deputybotsim]]></ToUserName><FromUserName><![CDATA[o-inbox-voice]]></FromUserName>` +
				`<CreateTime>1700000000</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[` + r.sim.AddMedia(amrVoice, "audio/amr") + `]]></MediaId>` +
				`<Format><![CDATA[amr]]></Format><Recognition><![CDATA[希望增加社区养老服务点。]]></Recognition><MsgId>7700000001</MsgId></xml>`
			got := replyText(t)(r.sim.User("o-inbox-voice").Deliver(ctx, []byte(xml)))
			expect(t, []string{got}, "已收到您的语音留言")
			ms := inboxOf(t, r, "o-inbox-voice")
			if len(ms) != 1 || ms[0].Kind != model.MessageVoice || ms[0].Body != "希望增加社区养老服务点。" {
				t.Fatalf("stored %+v", ms)
			}
		})

		t.Run("with an invitation pending, a short answer answers it and a longer text is a message", func(t *testing.T) {
			d := boundDeputy(t, r, "待回复代表", "13844440004", "o-inbox-asked")
			m := invite(t, db, "全省代表学习班", time.Now().Add(72*time.Hour), time.Now().Add(48*time.Hour), d.ID)
			u := r.sim.User("o-inbox-asked")
			got := chat(t, u, "请问学习班需要带笔记本电脑吗？住宿怎么安排？")
			expect(t, got, "已收到您的留言")
			if !strings.Contains(got[0], "待回复的事项") || !strings.Contains(got[0], m.Title) {
				t.Fatalf("the receipt does not mention the pending invitation: %q", got[0])
			}
			expect(t, chat(t, u, "参加"), "参加")
			inv, _, err := r.router.Core.Meetings.ForDeputy(ctx, core.DeputyActor(d, core.ViaWeChat), m.ID)
			if err != nil || inv.Status != model.RSVPAttend {
				t.Fatalf("the RSVP: %+v %v", inv, err)
			}
			if n := len(inboxOf(t, r, "o-inbox-asked")); n != 1 {
				t.Fatalf("%d messages, want the question only", n)
			}
		})
	})
}

func TestARefusedMessageSaysWhyAndStoresNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		boundDeputy(t, r, "长文代表", "13844440011", "o-inbox-long")
		got := chat(t, r.sim.User("o-inbox-long"), strings.Repeat("字", core.MaxMessageRunes+1))
		_, tooLong := documentedRefusal(t, "chat-message-too-long")
		expect(t, got, "未能保存")
		if !strings.Contains(got[0], tooLong) || !strings.Contains(got[0], "现有 2001 字") {
			t.Fatalf("the refusal does not say why: %q", got[0])
		}
		if n := len(inboxOf(t, r, "o-inbox-long")); n != 0 {
			t.Fatalf("a refused message was stored (%d)", n)
		}

		r.router.Core.Messages.PublicDailyLimit = 2
		u := r.sim.User("o-inbox-many")
		replyText(t)(u.Follow(ctx))
		got = chat(t, u, "第一条留言内容", "第二条留言内容", "第三条留言内容")
		_, limit := documentedRefusal(t, "chat-message-limit")
		expect(t, got, "已收到", "已收到", limit)
		if n := len(inboxOf(t, r, "o-inbox-many")); n != 2 {
			t.Fatalf("%d messages stored, want 2", n)
		}
	})
}

func TestNoMessageTextReachesTheLogs(t *testing.T) {
	var buf lockedBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
	r.gw.Log, r.router.Log, r.router.Engine.Log = logger, logger, logger
	r.router.Core.Messages.PublicDailyLimit = 1
	boundDeputy(t, r, "日志代表", "13844440021", "o-inbox-log")
	chat(t, r.sim.User("o-inbox-log"), "秘密留言甲ABC", strings.Repeat("秘", 2001))
	u := r.sim.User("o-inbox-log-public")
	replyText(t)(u.Follow(context.Background()))
	chat(t, u, "群众秘密留言乙", "群众秘密留言丙")
	out := buf.String()
	if !strings.Contains(out, "message recorded") || !strings.Contains(out, "message refused") {
		t.Fatalf("the inbox logged nothing: the test checks nothing\n%s", out)
	}
	for _, secret := range []string{"秘密留言甲ABC", "秘秘秘", "群众秘密留言乙", "群众秘密留言丙", "o-inbox-log"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log contains %q:\n%s", secret, out)
		}
	}
}
