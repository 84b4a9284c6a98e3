package bot_test

import (
	"context"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// A reply goes to what was just asked: the latest push asking for it,
// in the words people use; the bot asks which when asks of two kinds
// could each take the reply.
func TestARepliesGoesToWhatWasJustAsked(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		week := time.Now().Add(7 * 24 * time.Hour)
		status := func(t *testing.T, m model.Meeting, d model.Deputy) string {
			t.Helper()
			inv, err := db.GetInvitation(ctx, m.ID, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return inv.Status
		}

		t.Run("好的我参加 records attend on the latest invitation", func(t *testing.T) {
			d := boundDeputy(t, r, "最新代表", "13799990001", "o-latest")
			older := invite(t, db, "专题调研", week, week, d.ID)
			newer := invite(t, db, "代表履职学习班", week.Add(time.Hour), week, d.ID)
			expect(t, chat(t, r.sim.User("o-latest"), "好的，我参加"), "已登记：您将参加“代表履职学习班")
			if status(t, newer, d) != model.RSVPAttend || status(t, older, d) != model.RSVPPending {
				t.Fatalf("newer %s, older %s", status(t, newer, d), status(t, older, d))
			}
			// The next 参加吧 answers the one left.
			expect(t, chat(t, r.sim.User("o-latest"), "参加吧"), "已登记：您将参加“专题调研")
		})

		t.Run("可以参加 and 我请假 are understood", func(t *testing.T) {
			d := boundDeputy(t, r, "口语代表", "13799990002", "o-spoken")
			m := invite(t, db, "集中视察", week, week, d.ID)
			u := r.sim.User("o-spoken")
			expect(t, chat(t, u, "可以参加"), "已登记：您将参加")
			expect(t, chat(t, u, "修改1", "我请假", "外出考察"), "回执", "请假事由", "已登记您的请假")
			if status(t, m, d) != model.RSVPLeave {
				t.Fatalf("status %s", status(t, m, d))
			}
		})

		t.Run("满意 to a rating request is the overall result; two questions follow", func(t *testing.T) {
			d := boundDeputy(t, r, "直答代表", "13799990003", "o-quick-rate")
			sg := repliedSuggestion(t, db, "第0201号", d.ID)
			got := chat(t, r.sim.User("o-quick-rate"), "非常满意", "当面沟通", "基本满意", "是")
			expect(t, got, "办理结果的评价：满意", "第 2 题", "办理结果：满意", "测评已提交")
			rt, err := db.GetRating(ctx, sg.ID, d.ID)
			if err != nil || rt.Result != model.RatingSatisfied || rt.Contact != model.ContactFace || rt.Attitude != model.RatingBasic {
				t.Fatalf("rating %+v %v", rt, err)
			}
		})

		t.Run("when asks of two kinds could take the reply, the bot asks which", func(t *testing.T) {
			d := boundDeputy(t, r, "两问代表", "13799990004", "o-which")
			sg := repliedSuggestion(t, db, "第0202号", d.ID)
			m := invite(t, db, "常委会会议", week, week, d.ID)
			got := chat(t, r.sim.User("o-which"), "1", "2")
			expect(t, got, "“1”是回复哪一项", "办理态度")
			expect(t, got[:1], "1. 会议活动回执：常委会会议")
			expect(t, got[:1], "2. 建议办理满意度测评：第0202号")
			if status(t, m, d) != model.RSVPPending {
				t.Fatal("the invitation was answered")
			}
			// "1" answered the rating's first question: 当面沟通.
			expect(t, chat(t, r.sim.User("o-which"), "满意", "满意", "是"), "办理结果", "确认", "测评已提交")
			if rt, err := db.GetRating(ctx, sg.ID, d.ID); err != nil || rt.Contact != model.ContactFace {
				t.Fatalf("rating %+v %v", rt, err)
			}
		})
	})
}
