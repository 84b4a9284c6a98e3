package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// Commands work mid-flow: a command typed in a flow runs and parks it,
// 返回 drops the text of the step it leaves, a timed-out flow keeps its
// draft for 继续, 否 at a confirmation asks what to change, and 取消 of a
// parked flow says what it cancelled.
func TestCommandsWorkMidFlow(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		opinions := func(t *testing.T, d model.Deputy) []model.Opinion {
			t.Helper()
			ops, err := db.OpinionsOfDeputy(ctx, d.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			return ops
		}

		t.Run("我的会议 in the middle of an opinion parks it; its text does not contain the command", func(t *testing.T) {
			d := boundDeputy(t, r, "插话代表", "13766610001", "o-mid-cmd")
			u := r.sim.User("o-mid-cmd")
			got := chat(t, u, "意见", "1", "建议增设公交站点", "我的会议", "继续", "方便群众出行", "完成")
			expect(t, got, "类别", "输入您的意见", "已记录", "会议", "接着完成“提交意见建议”", "已记录", "确认")
			if !strings.Contains(got[3], "已暂存，回复“继续”接着填写") {
				t.Fatalf("我的会议 answered %q", got[3])
			}
			if strings.Contains(got[6], "我的会议") || !strings.Contains(got[6], "建议增设公交站点\n方便群众出行") {
				t.Fatalf("the confirmation reads %q", got[6])
			}
			expect(t, chat(t, u, "是"), "回执编号")
			if ops := opinions(t, d); len(ops) != 1 || ops[0].Body != "建议增设公交站点\n方便群众出行" {
				t.Fatalf("stored %+v", ops)
			}
		})

		t.Run("帮助 in the middle of an opinion shows help and parks it; its text does not contain 帮助", func(t *testing.T) {
			d := boundDeputy(t, r, "求助代表", "13766610009", "o-mid-help")
			u := r.sim.User("o-mid-help")
			got := chat(t, u, "意见", "1", "建议在社区设立图书角", "帮助", "继续", "延长开放时间", "完成")
			if !strings.Contains(got[3], "已暂存，回复“继续”接着填写") || !strings.Contains(got[3], "我的建议") {
				t.Fatalf("帮助 answered %q", got[3])
			}
			if strings.Contains(got[6], "帮助") || !strings.Contains(got[6], "建议在社区设立图书角\n延长开放时间") {
				t.Fatalf("the confirmation reads %q", got[6])
			}
			expect(t, chat(t, u, "是"), "回执编号")
			if ops := opinions(t, d); len(ops) != 1 || ops[0].Body != "建议在社区设立图书角\n延长开放时间" {
				t.Fatalf("stored %+v", ops)
			}
		})

		t.Run("返回 drops the text of the step it returns from", func(t *testing.T) {
			d := boundDeputy(t, r, "返回代表", "13766610002", "o-mid-back")
			u := r.sim.User("o-mid-back")
			got := chat(t, u, "意见", "1", "AAA", "返回", "1", "BBB", "完成")
			if c := got[len(got)-1]; strings.Contains(c, "AAA") || !strings.Contains(c, "BBB") {
				t.Fatalf("the confirmation after 返回 reads %q", c)
			}
			expect(t, chat(t, u, "是"), "回执编号")
			if ops := opinions(t, d); len(ops) != 1 || ops[0].Body != "BBB" {
				t.Fatalf("stored %+v", ops)
			}
		})

		t.Run("a timed-out opinion keeps its draft and resumes with 继续", func(t *testing.T) {
			d := boundDeputy(t, r, "超时代表", "13766610003", "o-mid-idle")
			u := r.sim.User("o-mid-idle")
			now := time.Now()
			r.router.Core.SetClock(func() time.Time { return now })
			defer r.router.Core.SetClock(time.Now)
			expect(t, chat(t, u, "意见", "1", "草稿里的意见"), "类别", "输入您的意见", "已记录")
			now = now.Add(2 * time.Hour)
			expect(t, chat(t, u, "你好"), "因长时间未回复已暂存")
			got := chat(t, u, "继续", "完成", "是")
			expect(t, got, "接着完成“提交意见建议”", "草稿里的意见", "回执编号")
			if ops := opinions(t, d); len(ops) != 1 || ops[0].Body != "草稿里的意见" {
				t.Fatalf("stored %+v", ops)
			}
		})

		t.Run("a draft left for more than 7 days is gone", func(t *testing.T) {
			d := boundDeputy(t, r, "久别代表", "13766610006", "o-mid-week")
			u := r.sim.User("o-mid-week")
			now := time.Now()
			r.router.Core.SetClock(func() time.Time { return now })
			defer r.router.Core.SetClock(time.Now)
			expect(t, chat(t, u, "意见", "1", "很久以前的草稿"), "类别", "输入您的意见", "已记录")
			now = now.Add(8 * 24 * time.Hour)
			expect(t, chat(t, u, "继续"), "没有需要继续")
			if ops := opinions(t, d); len(ops) != 0 {
				t.Fatalf("stored %+v", ops)
			}
		})

		t.Run("否 at a confirmation asks what to change and keeps the other answers", func(t *testing.T) {
			d := boundDeputy(t, r, "改主意代表", "13766610004", "o-mid-no")
			sg := repliedSuggestion(t, db, "第0301号", d.ID)
			u := r.sim.User("o-mid-no")
			got := chat(t, u, "1", "满意", "满意", "否")
			expect(t, got[3:], "要修改哪一项")
			for _, w := range []string{"1. 沟通方式", "2. 办理态度", "3. 办理结果", "4. 放弃"} {
				if !strings.Contains(got[3], w) {
					t.Fatalf("the change list %q lacks %q", got[3], w)
				}
			}
			got = chat(t, u, "3", "基本满意", "是")
			expect(t, got, "办理结果", "办理结果：基本满意", "测评已提交")
			if !strings.Contains(got[1], "沟通方式：当面沟通") || !strings.Contains(got[1], "办理态度：满意") {
				t.Fatalf("the confirmation after the change reads %q", got[1])
			}
			if rt, err := db.GetRating(ctx, sg.ID, d.ID); err != nil || rt.Result != model.RatingBasic || rt.Contact != model.ContactFace || rt.Attitude != model.RatingSatisfied {
				t.Fatalf("rating %+v %v", rt, err)
			}
		})

		t.Run("取消 of a parked flow says what it cancelled", func(t *testing.T) {
			d := boundDeputy(t, r, "取消代表", "13766610005", "o-mid-cancel")
			u := r.sim.User("o-mid-cancel")
			got := chat(t, u, "意见", "1", "写了一半", "我的建议", "取消", "继续", "取消")
			expect(t, got, "类别", "输入您的意见", "已记录", "已暂存", "已取消暂存的“提交意见建议”", "没有需要继续", "无需取消")
			if ops := opinions(t, d); len(ops) != 0 {
				t.Fatalf("stored %+v", ops)
			}
		})
	})
}
