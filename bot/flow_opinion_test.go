package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

func TestOpinionConversations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		receipt := regexp.MustCompile(`YJ\d{4}-\d{5}`)

		t.Run("an opinion over several messages gets a receipt", func(t *testing.T) {
			d := boundDeputy(t, r, "意见代表", "13833330001", "o-opinion")
			got := chat(t, r.sim.User("o-opinion"), "意见", "社情民意", "农村道路养护资金不足，", "建议加大省级补助。", "完成", "是")
			expect(t, got, "类别", "输入您的意见", "已记录", "已记录", "确认", "回执编号")
			if !receipt.MatchString(got[5]) {
				t.Fatalf("no receipt number in %q", got[5])
			}
			ops, err := db.OpinionsOfDeputy(ctx, d.ID, 10)
			if err != nil || len(ops) != 1 || ops[0].Category != model.OpinionSocial || !strings.Contains(ops[0].Body, "加大省级补助") {
				t.Fatalf("stored %+v %v", ops, err)
			}
		})

		t.Run("完成 without text re-prompts and 取消 drops everything", func(t *testing.T) {
			d := boundDeputy(t, r, "取消意见代表", "13833330002", "o-opinion-cancel")
			expect(t, chat(t, r.sim.User("o-opinion-cancel"), "意见", "2", "完成", "一些想法", "取消"),
				"类别", "输入您的意见", "请先输入内容", "已记录", "已取消")
			if ops, _ := db.OpinionsOfDeputy(ctx, d.ID, 10); len(ops) != 0 {
				t.Fatalf("a cancelled opinion was stored: %+v", ops)
			}
		})

		t.Run("an opinion on an open draft regulation names the article", func(t *testing.T) {
			sol := model.Solicitation{Title: "《数据条例（草案）》征求意见", Link: "https://example.org/draft", Articles: 40,
				OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(240 * time.Hour)}
			if err := core.NewOpinions(db).CreateSolicitation(ctx, &sol); err != nil {
				t.Fatal(err)
			}
			d := boundDeputy(t, r, "立法代表", "13833330003", "o-draft")
			u := r.sim.User("o-draft")
			click := replyText(t)(u.Click(ctx, bot.KeyFeedback))
			expect(t, []string{click}, "法规草案征求意见")
			expect(t, chat(t, u, "法规草案", "1", "第十二条", "建议明确数据分类标准", "完成", "是"),
				"请选择", "哪一条", "输入您的意见", "已记录", "第十二条", "回执编号")
			ops, _ := db.OpinionsOfDeputy(ctx, d.ID, 10)
			if len(ops) != 1 || ops[0].SolicitationID != sol.ID || ops[0].Article != "第十二条" {
				t.Fatalf("stored %+v", ops)
			}
		})
	})
}
