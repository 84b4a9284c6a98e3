package core

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestChineseNumbersBothWays(t *testing.T) {
	for _, tt := range []struct {
		n    int
		text string
	}{
		{1, "一"}, {10, "十"}, {12, "十二"}, {20, "二十"}, {99, "九十九"}, {100, "一百"}, {101, "一百零一"},
		{110, "一百一十"}, {123, "一百二十三"}, {1000, "一千"}, {1005, "一千零五"}, {1050, "一千零五十"},
	} {
		if got := ChineseNumber(tt.n); got != tt.text {
			t.Errorf("ChineseNumber(%d) = %s, want %s", tt.n, got, tt.text)
		}
		if got, ok := ParseChineseNumber(tt.text); !ok || got != tt.n {
			t.Errorf("ParseChineseNumber(%s) = %d, %v; want %d", tt.text, got, ok, tt.n)
		}
	}
	for _, tt := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"１２", 12, true}, {"两百", 200, true}, {"一百十二", 112, true}, {"〇", 0, false}, {"一二", 0, false},
		{"十百", 0, false}, {"第", 0, false}, {"", 0, false},
	} {
		if got, ok := ParseChineseNumber(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("ParseChineseNumber(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestArticleReferencesAreReadAsDeputiesTypeThem(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"12", "第十二条", true},
		{"１２", "第十二条", true},
		{"第12条", "第十二条", true},
		{"第十二条", "第十二条", true},
		{"十二", "第十二条", true},
		{" 第 12 条 ", "第十二条", true},
		{"12条", "第十二条", true},
		{"第一百零五条", "第一百零五条", true},
		{"第十二条第2款", "第十二条第二款", true},
		{"整体", "", true},
		{"全文", "", true},
		{"第三章", "", false},
		{"数据安全", "", false},
		{"第十二条规定", "", false},
	} {
		ref, ok := ParseArticleRef(tt.in)
		if ok != tt.ok || (ok && ref.String() != tt.want) {
			t.Errorf("ParseArticleRef(%q) = %q, %v; want %q, %v", tt.in, ref.String(), ok, tt.want, tt.ok)
		}
	}
	if ArticleNumber("第12条") != 12 || ArticleNumber("第十二条第二款") != 12 || ArticleNumber("") != 0 || ArticleNumber("第三章") != 0 {
		t.Error("ArticleNumber does not read stored references")
	}
}

// sampleDraft is a draft as staff paste it: title, table of contents,
// chapters, articles with full-width spaces, a paragraph citing an earlier
// article at the start of a line, and Windows line ends.
const sampleDraft = "XX省数据条例（草案）\r\n目录\r\n第一章　总则\r\n第二章　数据安全\r\n\r\n第一章　总则\r\n" +
	"第一条　为了规范数据处理活动，保障数据安全，根据有关法律、行政法规，结合本省实际，制定本条例。\r\n" +
	"第二条　本省行政区域内的数据处理活动适用本条例。\r\n" +
	"第一条规定的数据处理活动，包括数据的收集、存储、使用。\r\n" +
	"第二章　数据安全\r\n" +
	"第3条 数据处理者应当建立健全数据安全管理制度。\r\n" +
	"  第四条本条例自2027年1月1日起施行。\r\n"

func TestParseDraftSplitsOnArticleHeadings(t *testing.T) {
	d, err := ParseDraft(sampleDraft)
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, a := range d.Articles {
		heads = append(heads, a.Heading)
	}
	if strings.Join(heads, ",") != "第一条,第二条,第三条,第四条" {
		t.Fatalf("headings %v", heads)
	}
	if !strings.HasPrefix(d.Articles[0].Body, "为了规范") || strings.Contains(d.Articles[0].Body, "第一条") {
		t.Errorf("article 1 body %q", d.Articles[0].Body)
	}
	if d.Articles[1].Body != "本省行政区域内的数据处理活动适用本条例。\n第一条规定的数据处理活动，包括数据的收集、存储、使用。" {
		t.Errorf("a paragraph citing 第一条 must stay in article 2: %q", d.Articles[1].Body)
	}
	if strings.Contains(d.Articles[2].Body, "第二章") || d.Articles[3].Body != "本条例自2027年1月1日起施行。" {
		t.Errorf("chapter headings leak into articles: %q / %q", d.Articles[2].Body, d.Articles[3].Body)
	}
	if len(d.Warnings) != 0 {
		t.Errorf("warnings %v", d.Warnings)
	}

	gap, err := ParseDraft("第一条　甲。\n第二条　乙。\n第四条　丁。")
	if err != nil || len(gap.Articles) != 2 || len(gap.Warnings) != 1 || !strings.Contains(gap.Warnings[0], "缺少第三条") {
		t.Errorf("a missing article: %+v %v", gap, err)
	}
	for name, text := range map[string]string{
		"no article at all":     "XX省数据条例（草案）\n为了规范数据处理活动。",
		"an article too long":   "第一条　" + strings.Repeat("长", MaxArticleBodyRunes+1),
		"an article left empty": "第一条　甲。\n第二条\n第三条　丙。",
	} {
		if _, err := ParseDraft(text); fieldOf(err) != "草案全文" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSolicitationArticlesAreStoredAndCheckOpinions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)
		s, dep := opinionsAt(t, db, &now)
		d, err := ParseDraft(sampleDraft)
		if err != nil {
			t.Fatal(err)
		}
		sol := model.Solicitation{Title: "《XX省数据条例（草案）》征求意见", ClosesAt: now.AddDate(0, 0, 14), Draft: d.Articles}
		if err := s.CreateSolicitation(ctx, &sol); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Solicitation(ctx, sol.ID)
		if got.Articles != 4 || got.Texts != 4 {
			t.Fatalf("read back %d articles, %d texts; want 4 and 4", got.Articles, got.Texts)
		}
		list, err := s.Articles(ctx, sol.ID)
		if err != nil || len(list) != 4 || list[2].Heading != "第三条" || list[2].Number != 3 || list[2].Body != d.Articles[2].Body {
			t.Fatalf("articles %+v %v", list, err)
		}

		t.Run("an opinion names a stored article in any form", func(t *testing.T) {
			for _, in := range []string{"3", "第3条", "三", "整体"} {
				receipt, err := s.Submit(ctx, dep, model.Opinion{SolicitationID: sol.ID, Article: in, Body: "意见"})
				if err != nil {
					t.Fatalf("%s: %v", in, err)
				}
				o, _ := s.ByReceipt(ctx, receipt)
				if want := map[bool]string{true: "", false: "第三条"}[in == "整体"]; o.Article != want {
					t.Errorf("%s stored as %q, want %q", in, o.Article, want)
				}
			}
		})
		t.Run("an article the draft lacks is refused with the range", func(t *testing.T) {
			for _, in := range []string{"5", "第三章"} {
				_, err := s.Submit(ctx, dep, model.Opinion{SolicitationID: sol.ID, Article: in, Body: "意见"})
				if fieldOf(err) != "条款" || !strings.Contains(err.Error(), "第一条至第四条") {
					t.Errorf("%s: %v", in, err)
				}
			}
		})
		t.Run("ResolveArticle gives the article's text", func(t *testing.T) {
			c, err := s.ResolveArticle(ctx, got, "第二条")
			if err != nil || c.Stored != "第二条" || c.Article == nil || !strings.HasPrefix(c.Article.Body, "本省行政区域") {
				t.Fatalf("%+v %v", c, err)
			}
			var p *ArticleProblem
			if _, err := s.ResolveArticle(ctx, got, "九"); !errors.As(err, &p) || p.Range != "第一条至第四条" || p.Example != "第四条" {
				t.Fatalf("a missing article: %v", err)
			}
		})
		t.Run("a count that contradicts the text is refused", func(t *testing.T) {
			bad := model.Solicitation{Title: "条数不符", Articles: 60, ClosesAt: now.AddDate(0, 0, 14), Draft: d.Articles}
			if err := s.CreateSolicitation(ctx, &bad); fieldOf(err) != "条数" {
				t.Fatalf("%v", err)
			}
		})
		t.Run("replacing the text keeps every article opinions name", func(t *testing.T) {
			editor := StaffActor(model.Account{ID: 3, Username: "liaison", Name: "联络处", Role: model.RoleStaff}, ViaConsole)
			if _, err := s.SetArticlesAs(ctx, editor, sol.ID, "第一条　甲。\n第二条　乙。"); fieldOf(err) != "草案全文" ||
				!strings.Contains(err.Error(), "第三条") {
				t.Fatalf("dropping 第三条 that opinions name: %v", err)
			}
			if n, _ := s.Articles(ctx, sol.ID); len(n) != 4 {
				t.Fatalf("a refused replacement changed the articles: %d", len(n))
			}
			if _, err := s.SetArticlesAs(ctx, editor, sol.ID, sampleDraft+"第五条　附则。"); err != nil {
				t.Fatal(err)
			}
			after, _ := s.Solicitation(ctx, sol.ID)
			if after.Articles != 5 || after.Texts != 5 {
				t.Fatalf("after replacing: %d articles, %d texts", after.Articles, after.Texts)
			}
		})
		t.Run("a count without text still bounds the article", func(t *testing.T) {
			old := model.Solicitation{Title: "只有条数", Articles: 10, ClosesAt: now.AddDate(0, 0, 14)}
			if err := s.CreateSolicitation(ctx, &old); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Submit(ctx, dep, model.Opinion{SolicitationID: old.ID, Article: "十一", Body: "x"}); fieldOf(err) != "条款" ||
				!strings.Contains(err.Error(), "第一条至第十条") {
				t.Fatalf("article 11 of 10: %v", err)
			}
			if _, err := s.Submit(ctx, dep, model.Opinion{SolicitationID: old.ID, Article: "10", Body: "x"}); err != nil {
				t.Fatal(err)
			}
		})
	})
}
