package h5_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/handlers/h5"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// h5Draft has a short first article, a long second one and a third.
var h5Draft = "《某省数据条例（草案）》\n第一章　总则\n第一条　为了规范数据处理活动，制定本条例。\n第二条　" +
	strings.Repeat("数据处理者应当依照法律、法规的规定，建立健全全流程数据安全管理制度。", 4) + "\n第三条　本条例自公布之日起施行。"

func TestH5SolicitationPageTakesAnOpinionPerArticle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newH5World(t, db, h5.OAuth{})
		ctx := context.Background()
		now := w.clock.Now()
		opinions := core.NewOpinions(db)
		opinions.SetClock(w.clock.Now)
		d, err := core.ParseDraft(h5Draft)
		if err != nil {
			t.Fatal(err)
		}
		sol := model.Solicitation{Title: "《某省数据条例（草案）》征求意见", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(72 * time.Hour),
			Draft: d.Articles}
		if err := opinions.CreateSolicitation(ctx, &sol); err != nil {
			t.Fatal(err)
		}
		_, link := w.deliver(t, model.Notice{Kind: "solicitation", Title: "征求意见", RefKind: "solicitation", RefID: sol.ID})

		page := w.get(t, link)
		mustContain(t, page, http.StatusOK, "草案共 3 条", "总体意见", "对草案整体提意见", "第一条", "为了规范数据处理活动，制定本条例。",
			"第三条", "（点击展开全文）", `name="article" value="第二条"`, "提交对第二条的意见")
		if n := strings.Count(page.body, ">对本条提意见<"); n != 3 {
			t.Fatalf("%d boxes 对本条提意见, want one per article", n)
		}
		mustNotContain(t, page, "第一章", `placeholder="如：第十二条（选填）"`)

		t.Run("an opinion on an article names it on the receipt", func(t *testing.T) {
			_, result := w.post(t, postPath(link, "opinion"), url.Values{"article": {"第二条"}, "body": {"建议删除“全流程”。"}})
			mustContain(t, result, http.StatusOK, "您对第二条的意见已收到，回执编号 YJ", "您已对本条提出 1 条意见", "您已提出 1 条意见")
		})
		t.Run("the overall box gives an opinion on the whole draft", func(t *testing.T) {
			_, result := w.post(t, postPath(link, "opinion"), url.Values{"article": {""}, "body": {"总体赞成。"}})
			mustContain(t, result, http.StatusOK, "您对草案整体的意见已收到", "您已提出 2 条意见")
		})
		t.Run("a refused opinion opens its article's box again with the text", func(t *testing.T) {
			r, _ := w.post(t, postPath(link, "opinion"), url.Values{"article": {"第三条"}, "body": {strings.Repeat("长", core.MaxOpinionRunes+1)}})
			mustContain(t, r, http.StatusUnprocessableEntity, "意见内容：过长", " autofocus>"+strings.Repeat("长", 10))
			if strings.Count(r.body, "autofocus") != 1 || strings.Count(r.body, `<details class="h5-form" open>`) != 1 {
				t.Fatal("the refused box is not the one opened")
			}
		})
		t.Run("an article the draft lacks is refused with the range", func(t *testing.T) {
			r, _ := w.post(t, postPath(link, "opinion"), url.Values{"article": {"第九条"}, "body": {"x"}})
			mustContain(t, r, http.StatusUnprocessableEntity, "第一条至第三条")
		})

		ops, err := db.OpinionsOfDeputy(ctx, w.deputy.ID, 0)
		if err != nil || len(ops) != 2 || ops[0].Article != "" || ops[1].Article != "第二条" {
			t.Fatalf("stored %+v %v", ops, err)
		}
		if strings.Contains(w.log.String(), "全流程") {
			t.Fatal("an opinion's text reached the log")
		}
	})
}
