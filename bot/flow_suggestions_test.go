package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// repliedSuggestion files a suggestion led by lead (with seconders) and
// records the unit's reply, which asks its deputies to rate it.
func repliedSuggestion(t testing.TB, db *storage.DB, number string, lead int64, seconders ...int64) model.Suggestion {
	t.Helper()
	ctx := context.Background()
	svc := core.NewSuggestions(db)
	deadline := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	sg := model.Suggestion{Number: number, Title: "关于加强农村饮水安全保障的建议", Session: "十四届人大三次会议",
		LeadDeputyID: lead, HostUnit: "省水利厅", Deadline: &deadline}
	if err := svc.Create(ctx, &sg, seconders); err != nil {
		t.Fatal(err)
	}
	if err := svc.RecordStep(ctx, &model.SuggestionStep{SuggestionID: sg.ID, Kind: model.StepReplied, Actor: "省水利厅",
		ReplyCategory: "A", Note: "已列入年度计划"}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(ctx, sg.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRatingConversations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()

		t.Run("a satisfied rating answers the pending ask after a confirmation", func(t *testing.T) {
			lead := boundDeputy(t, r, "领衔代表", "13811110001", "o-lead")
			second := boundDeputy(t, r, "附议代表", "13811110002", "o-second")
			sg := repliedSuggestion(t, db, "第0101号", lead.ID, second.ID)
			expect(t, chat(t, r.sim.User("o-lead"), "1", "满意", "基本满意", "是"),
				"办理态度", "办理结果", "确认提交", "测评已提交")
			rt, err := db.GetRating(ctx, sg.ID, lead.ID)
			if err != nil || rt.Contact != model.ContactFace || rt.Attitude != model.RatingSatisfied || rt.Result != model.RatingBasic {
				t.Fatalf("rating %+v %v", rt, err)
			}
			// The seconder rates too, by number from 我的建议.
			mine := chat(t, r.sim.User("o-second"), "我的建议")
			expect(t, mine, "待测评")
			if !strings.Contains(mine[0], "办理期限 2026-06-30") {
				t.Fatalf("我的建议 does not show the handling deadline: %q", mine[0])
			}
		})

		t.Run("不满意 requires a reason and sends the suggestion back", func(t *testing.T) {
			lead := boundDeputy(t, r, "不满代表", "13811110003", "o-unhappy")
			sg := repliedSuggestion(t, db, "第0102号", lead.ID)
			expect(t, chat(t, r.sim.User("o-unhappy"), "电话沟通", "满意", "不满意", "没有实际解决", "确认"),
				"办理态度", "办理结果", "原因", "没有实际解决", "重新办理")
			got, _ := db.GetSuggestion(ctx, sg.ID)
			if got.Status != model.SuggestionRehandling || got.RehandleReason != "没有实际解决" {
				t.Fatalf("suggestion after 不满意: %s %q", got.Status, got.RehandleReason)
			}
		})

		t.Run("an unclear answer re-prompts, 返回 goes back, 否 asks what to change, 放弃 discards", func(t *testing.T) {
			lead := boundDeputy(t, r, "犹豫代表", "13811110004", "o-unsure-rate")
			sg := repliedSuggestion(t, db, "第0103号", lead.ID)
			expect(t, chat(t, r.sim.User("o-unsure-rate"), "1", "还行吧", "返回", "书面沟通", "满意", "满意", "否", "放弃"),
				"办理态度", "没有看懂", "沟通方式", "办理态度", "办理结果", "确认提交", "要修改哪一项", "未提交")
			if _, err := db.GetRating(ctx, sg.ID, lead.ID); err == nil {
				t.Fatal("a discarded rating was saved")
			}
		})

		t.Run("a deputy not on the suggestion cannot rate it", func(t *testing.T) {
			lead := boundDeputy(t, r, "原领衔", "13811110005", "o-owner")
			outsider := boundDeputy(t, r, "旁观代表", "13811110006", "o-outsider")
			sg := repliedSuggestion(t, db, "第0104号", lead.ID)
			if err := db.AddPendingAsk(ctx, outsider.ID, core.FlowRate, sg.ID, "测评"); err != nil {
				t.Fatal(err)
			}
			expect(t, chat(t, r.sim.User("o-outsider"), "满意"), "不是该建议的领衔或附议代表")
			if _, err := db.GetRating(ctx, sg.ID, outsider.ID); err == nil {
				t.Fatal("an outsider's rating was saved")
			}
		})

		t.Run("a rating can be revised within 7 days and not after", func(t *testing.T) {
			lead := boundDeputy(t, r, "修改测评代表", "13811110007", "o-revise")
			repliedSuggestion(t, db, "第0105号", lead.ID)
			u := r.sim.User("o-revise")
			expect(t, chat(t, u, "1", "满意", "满意", "是"), "办理态度", "办理结果", "确认", "测评已提交")
			expect(t, chat(t, u, "测评1", "1", "基本满意", "基本满意", "是"), "沟通方式", "办理态度", "办理结果", "确认", "测评已提交")
			now := time.Now().Add(8 * 24 * time.Hour)
			r.router.Core.SetClock(func() time.Time { return now })
			defer r.router.Core.SetClock(time.Now)
			expect(t, chat(t, u, "测评1"), "超过修改期限")
		})
	})
}
