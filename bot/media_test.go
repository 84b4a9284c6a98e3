package bot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
	"deputybot/wechatsim"
)

// amrVoice is a voice message's audio as WeChat keeps it (AMR).
var amrVoice = append([]byte("#!AMR\n"), bytes.Repeat([]byte{0x3c, 0x48, 0xf5, 0x1f}, 40)...)

// threadOf is the newest message of openid with its files, as staff see it.
func threadOf(t *testing.T, r *rig, openid string) model.MessageThread {
	t.Helper()
	ms := inboxOf(t, r, openid)
	if len(ms) != 1 {
		t.Fatalf("%d messages of %s, want 1: %+v", len(ms), openid, ms)
	}
	th, err := r.router.Core.Messages.Get(context.Background(), core.CLIActor(model.Account{}, "test"), ms[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// sameContent fails unless file f holds want.
func sameContent(t *testing.T, r *rig, f model.File, want []byte) {
	t.Helper()
	_, data, err := r.router.Core.Files.Open(context.Background(), core.CLIActor(model.Account{}, "test"), f.ID)
	if err != nil || !bytes.Equal(data, want) {
		t.Fatalf("file %d holds %d bytes (%v), want the %d sent", f.ID, len(data), err, len(want))
	}
}

func TestPhotosAndVoiceAreKeptWithTheMessageOrTheOpinion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		png := testkit.PNG()

		t.Run("a deputy's photo outside any flow is a message with the photo", func(t *testing.T) {
			boundDeputy(t, r, "图片代表", "13855550001", "o-media-photo")
			u := r.sim.User("o-media-photo")
			got := replyText(t)(u.SendImage(ctx, r.sim.AddMedia(png, "image/png")))
			th := threadOf(t, r, "o-media-photo")
			m := th.Message
			if !strings.Contains(got, "已收到您的图片留言（编号 "+m.Receipt+"）") {
				t.Fatalf("a photo answered %q, stored %+v", got, m)
			}
			if m.Kind != model.MessageImage || m.DeputyID == 0 || len(th.Files) != 1 || th.Files[0].ContentType != model.FilePNG {
				t.Fatalf("stored %+v with files %+v", m, th.Files)
			}
			sameContent(t, r, th.Files[0], png)
		})

		t.Run("a follower who is not a deputy leaves a photo message too", func(t *testing.T) {
			u := r.sim.User("o-media-citizen")
			replyText(t)(u.Follow(ctx))
			got := replyText(t)(u.SendImage(ctx, r.sim.AddMedia(png, "image/png")))
			th := threadOf(t, r, "o-media-citizen")
			if !strings.Contains(got, "已收到您的图片留言") || th.Message.Sender() != model.SenderPublic || len(th.Files) != 1 {
				t.Fatalf("answered %q, stored %+v %+v", got, th.Message, th.Files)
			}
		})

		t.Run("a voice message keeps its recognition and its audio", func(t *testing.T) {
			boundDeputy(t, r, "语音代表乙", "13855550002", "o-media-voice")
			u := r.sim.User("o-media-voice")
			got := replyText(t)(u.SendVoice(ctx, r.sim.AddMedia(amrVoice, "audio/amr"), "amr", "希望村里的桥尽快修好。"))
			th := threadOf(t, r, "o-media-voice")
			if !strings.Contains(got, "已收到您的语音留言（编号 "+th.Message.Receipt+"）") {
				t.Fatalf("a voice message answered %q", got)
			}
			if th.Message.Kind != model.MessageVoice || th.Message.Body != "希望村里的桥尽快修好。" || len(th.Files) != 1 ||
				th.Files[0].ContentType != model.FileAMR {
				t.Fatalf("stored %+v with files %+v", th.Message, th.Files)
			}
			sameContent(t, r, th.Files[0], amrVoice)
		})

		t.Run("a photo and a spoken text sent while writing an opinion go with it", func(t *testing.T) {
			d := boundDeputy(t, r, "意见图片代表", "13855550003", "o-media-opinion")
			u := r.sim.User("o-media-opinion")
			expect(t, chat(t, u, "意见", "社情民意"), "类别", "请输入您的意见建议")
			got := replyText(t)(u.SendImage(ctx, r.sim.AddMedia(png, "image/png")))
			if !strings.Contains(got, "已收到照片") || !strings.Contains(got, "共 1 个附件") {
				t.Fatalf("a photo in the opinion answered %q", got)
			}
			got = replyText(t)(u.SendVoice(ctx, r.sim.AddMedia(amrVoice, "audio/amr"), "amr", "镇东路口有个大坑，雨天积水。"))
			if !strings.Contains(got, "已收到语音") || !strings.Contains(got, "共 2 个附件") {
				t.Fatalf("a voice message in the opinion answered %q", got)
			}
			expect(t, chat(t, u, "完成", "是"), "确认", "附 2 个附件")
			ops, err := db.OpinionsOfDeputy(ctx, d.ID, 10)
			if err != nil || len(ops) != 1 || ops[0].Body != "镇东路口有个大坑，雨天积水。" {
				t.Fatalf("stored %+v %v", ops, err)
			}
			o, err := r.router.Core.Opinions.GetAs(ctx, core.CLIActor(model.Account{}, "test"), ops[0].ID)
			if err != nil || len(o.Files) != 2 || o.Files[0].ContentType != model.FilePNG || o.Files[1].ContentType != model.FileAMR {
				t.Fatalf("the opinion's files: %+v %v", o.Files, err)
			}
			sameContent(t, r, o.Files[0], png)
			if n := len(inboxOf(t, r, "o-media-opinion")); n != 0 {
				t.Fatalf("the opinion's photo also became %d messages", n)
			}
		})

		t.Run("what WeChat does not give is not stored and the sender is told", func(t *testing.T) {
			boundDeputy(t, r, "取图失败代表", "13855550004", "o-media-failed")
			u := r.sim.User("o-media-failed")
			got := replyText(t)(u.SendImage(ctx, "media-never-added"))
			if !strings.Contains(got, "未能从微信取回") || !strings.Contains(got, "没有保存") || !strings.Contains(got, "重新发送") {
				t.Fatalf("a photo WeChat did not give answered %q", got)
			}
			got = replyText(t)(u.SendVoice(ctx, "media-never-added", "amr", "这段话不应保存"))
			if !strings.Contains(got, "未能从微信取回") || !strings.Contains(got, "文字") {
				t.Fatalf("a voice message WeChat did not give answered %q", got)
			}
			if n := len(inboxOf(t, r, "o-media-failed")); n != 0 {
				t.Fatalf("%d messages stored from failed fetches", n)
			}
			// In an opinion: the photo is not kept, the opinion goes on.
			expect(t, chat(t, u, "意见", "社情民意"), "类别", "请输入")
			got = replyText(t)(u.SendImage(ctx, "media-never-added"))
			if !strings.Contains(got, "未能从微信取回") {
				t.Fatalf("a failed photo in an opinion answered %q", got)
			}
			expect(t, chat(t, u, "路灯坏了", "完成", "是"), "", "确认", "回执编号")
			d, _ := db.GetDeputyByOpenID(ctx, "o-media-failed")
			ops, _ := db.OpinionsOfDeputy(ctx, d.ID, 10)
			if len(ops) != 1 {
				t.Fatalf("opinions %+v", ops)
			}
			if o, _ := r.router.Core.Opinions.GetAs(ctx, core.CLIActor(model.Account{}, "test"), ops[0].ID); len(o.Files) != 0 {
				t.Fatalf("a failed photo was attached: %+v", o.Files)
			}
		})
	})
}
