package bot_test

import (
	"context"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

func newSurvey(t testing.TB, db *storage.DB, title string, anonymous bool) model.Survey {
	t.Helper()
	sv := model.Survey{Title: title, Intro: "请根据实际情况作答。", Anonymous: anonymous,
		OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(72 * time.Hour),
		Questions: []model.SurveyQuestion{
			{Kind: model.QuestionSingle, Text: "您参加过几次代表培训？", Options: []string{"没有", "1 次", "2 次及以上"}},
			{Kind: model.QuestionMulti, Text: "您希望学习哪些内容？", Options: []string{"宪法法律", "预算审查", "调查研究", "建议撰写"}},
			{Kind: model.QuestionScale, Text: "您对本年度履职服务的评价（1–5）"},
			{Kind: model.QuestionText, Text: "其他意见", Optional: true},
		}}
	if err := core.NewSurveys(db).Create(context.Background(), &sv); err != nil {
		t.Fatal(err)
	}
	return sv
}

func TestSurveyConversations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()

		t.Run("every question kind, a skip, progress and confirmation", func(t *testing.T) {
			d := boundDeputy(t, r, "问卷代表", "13844440001", "o-survey")
			sv := newSurvey(t, db, "代表培训需求调查", false)
			expect(t, chat(t, r.sim.User("o-survey"), "问卷", "4", "2", "1、3", "５", "跳过", "是"),
				"第 1/4 题", "没有看懂", "第 2/4 题", "第 3/4 题", "第 4/4 题", "确认提交", "问卷已提交")
			res, err := core.NewSurveys(db).Results(ctx, sv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if res.Responses != 1 {
				t.Fatalf("results %+v", res)
			}
			if done, _ := db.HasAnswered(ctx, sv.ID, d.ID); !done {
				t.Fatal("the deputy is not marked as answered")
			}
		})

		t.Run("取消 pauses, 继续 resumes at the same question, and a named survey can be revised", func(t *testing.T) {
			boundDeputy(t, r, "暂停问卷代表", "13844440002", "o-survey-pause")
			newSurvey(t, db, "联络站工作调查", false)
			u := r.sim.User("o-survey-pause")
			expect(t, chat(t, u, "问卷", "1", "取消", "继续", "2", "4", "跳过", "是"),
				"第 1/4 题", "第 2/4 题", "已暂停", "第 2/4 题", "第 3/4 题", "第 4/4 题", "确认", "问卷已提交")
			expect(t, chat(t, u, "问卷"), "第 1/4 题")
		})

		t.Run("an anonymous survey is answered once and stores no identity", func(t *testing.T) {
			d := boundDeputy(t, r, "匿名代表", "13844440003", "o-survey-anon")
			sv := newSurvey(t, db, "匿名满意度调查", true)
			if err := db.AddPendingAsk(ctx, d.ID, "survey", sv.ID, "问卷："+sv.Title); err != nil {
				t.Fatal(err)
			}
			expect(t, chat(t, r.sim.User("o-survey-anon"), "好的", "3", "1", "4", "很好", "是"),
				"（匿名）", "第 2/4 题", "第 3/4 题", "第 4/4 题", "确认", "不与身份关联")
			if err := db.AddPendingAsk(ctx, d.ID, "survey", sv.ID, "问卷："+sv.Title); err != nil {
				t.Fatal(err)
			}
			expect(t, chat(t, r.sim.User("o-survey-anon"), "再答一次"), "不能修改")
			n, err := db.CountRows(ctx, "survey_responses")
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("no response stored")
			}
		})
	})
}
