package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// TestOpinionArticleStepKnowsTheDraft walks the "which article" step of an
// opinion on a draft whose text is stored: every way deputies name an
// article lands on the same one, echoed with its first words; an article
// the draft lacks is re-asked with the range and an example; 帮助, 返回
// and 取消 keep working there.
func TestOpinionArticleStepKnowsTheDraft(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
		ctx := context.Background()
		var text strings.Builder
		for n := 1; n <= 15; n++ {
			fmt.Fprintf(&text, "%s　第%d条的正文，规定数据处理者的第%d项义务，以及相应的法律责任和监督管理措施。\n", core.ArticleHeading(n), n, n)
		}
		d, err := core.ParseDraft(text.String())
		if err != nil {
			t.Fatal(err)
		}
		sol := model.Solicitation{Title: "《数据条例（草案）》征求意见", Draft: d.Articles,
			OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(240 * time.Hour)}
		if err := core.NewOpinions(db).CreateSolicitation(ctx, &sol); err != nil {
			t.Fatal(err)
		}
		n := 0
		fresh := func(t *testing.T) (model.Deputy, *wechatsim.User) {
			n++
			openid := fmt.Sprintf("o-article-%d", n)
			dep := boundDeputy(t, r, fmt.Sprintf("条款代表%d", n), fmt.Sprintf("1387700%04d", n), openid)
			return dep, r.sim.User(openid)
		}

		for _, typed := range []string{"12", "第12条", "第十二条", "十二", "１２"} {
			t.Run("“"+typed+"” is 第十二条", func(t *testing.T) {
				dep, u := fresh(t)
				got := chat(t, u, "意见", "法规草案", "1", typed, "建议明确义务边界", "完成", "是")
				expect(t, got, "类别", "请选择", "第一条至第十五条",
					"您选择的是 第十二条：第12条的正文，规定数据处理者的第12项义务，以及相应的法律……", "已记录",
					"第十二条", "回执编号")
				ops, _ := db.OpinionsOfDeputy(ctx, dep.ID, 10)
				if len(ops) != 1 || ops[0].Article != "第十二条" || ops[0].SolicitationID != sol.ID {
					t.Fatalf("stored %+v", ops)
				}
			})
		}

		t.Run("整体 is an opinion on the whole draft", func(t *testing.T) {
			dep, u := fresh(t)
			got := chat(t, u, "意见", "法规草案", "1", "全文", "总体赞成", "完成", "是")
			expect(t, got, "类别", "请选择", "哪一条", "您选择的是 草案整体", "已记录", "草案整体", "回执编号")
			if ops, _ := db.OpinionsOfDeputy(ctx, dep.ID, 10); len(ops) != 1 || ops[0].Article != "" {
				t.Fatalf("stored %+v", ops)
			}
		})

		t.Run("an article the draft lacks is asked again with the range", func(t *testing.T) {
			dep, u := fresh(t)
			got := chat(t, u, "意见", "法规草案", "1", "第九十九条", "数据安全", "3", "修改措辞", "完成", "是")
			expect(t, got, "类别", "请选择", "哪一条",
				"草案没有“第九十九条”，请回复第一条至第十五条之间的条款序号，例如“第十二条”",
				"草案没有“数据安全”", "您选择的是 第三条：第3条的正文")
			if ops, _ := db.OpinionsOfDeputy(ctx, dep.ID, 10); len(ops) != 1 || ops[0].Article != "第三条" {
				t.Fatalf("stored %+v", ops)
			}
		})

		t.Run("帮助, 返回 and 取消 work at the article step and after it", func(t *testing.T) {
			_, u := fresh(t)
			chat(t, u, "意见", "法规草案", "1")
			if help := chat(t, u, "帮助")[0]; !strings.Contains(help, "您正在进行") || !strings.Contains(help, "第一条至第十五条") {
				t.Fatalf("帮助 at the article step: %q", help)
			}
			chat(t, u, "5")
			if back := chat(t, u, "返回")[0]; !strings.Contains(back, "哪一条") {
				t.Fatalf("返回 from the text step: %q", back)
			}
			if got := chat(t, u, "6")[0]; !strings.Contains(got, "您选择的是 第六条") {
				t.Fatalf("choosing again: %q", got)
			}
			if c := chat(t, u, "取消")[0]; !strings.Contains(c, "已取消") {
				t.Fatalf("取消: %q", c)
			}
			if _, err := db.GetConversation(ctx, u.OpenID()); err == nil {
				t.Fatal("a conversation is still active after 取消")
			}
		})
	})
}
