package core

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
)

// solicitationKeys are the field keys of a solicitation's Chinese labels:
// the console's form fields and the API's JSON properties.
var solicitationKeys = map[string]string{"标题": "title", "说明": "summary", "草案链接": "link", "条数": "articles",
	"开始时间": "opens_at", "截止时间": "closes_at", "草案全文": "text"}

// keyed sets each field error's key from its label where it has none.
func keyed(err error, keys map[string]string) error {
	verr, ok := Fields(err)
	if !ok {
		return err
	}
	for _, e := range verr {
		if e.Key == "" {
			e.Key = keys[e.Label]
		}
	}
	return verr
}

// WindowState names where now falls in a window that opens and closes:
// 未开始, 进行中 or 已截止.
func WindowState(now, opens, closes time.Time) string {
	switch {
	case now.Before(opens):
		return "未开始"
	case now.Before(closes):
		return "进行中"
	}
	return "已截止"
}

// SolicitationsAs returns every solicitation, the latest opening first.
func (s *Opinions) SolicitationsAs(ctx context.Context, by Actor) ([]model.Solicitation, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	return s.db.ListSolicitations(ctx)
}

// SolicitationAs returns one solicitation.
func (s *Opinions) SolicitationAs(ctx context.Context, by Actor, id int64) (model.Solicitation, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.Solicitation{}, err
	}
	return s.db.GetSolicitation(ctx, id)
}

// ReadDraft splits a draft's full text into its articles for staff to
// confirm before it is stored; a problem is keyed text (草案全文).
func ReadDraft(text string) (DraftParse, error) {
	d, err := ParseDraft(text)
	if err == nil {
		return d, nil
	}
	if _, ok := Fields(err); !ok {
		err = &FieldError{Label: "草案全文", Msg: err.Error()}
	}
	return d, keyed(err, solicitationKeys)
}

// CreateSolicitationAs puts a draft regulation out for opinions as by: it
// is announced to every deputy in office when it opens (a zero OpensAt:
// now). text, when given, is the draft's full text, split into articles
// so deputies can comment article by article. Validated, stored and
// audited in one transaction; field keys are title, summary, link,
// articles, opens_at, closes_at and text.
func (s *Opinions) CreateSolicitationAs(ctx context.Context, by Actor, sol *model.Solicitation, text string) (DraftParse, error) {
	var d DraftParse
	if err := by.Require(Editors...); err != nil {
		return d, err
	}
	if strings.TrimSpace(text) != "" {
		var err error
		if d, err = ReadDraft(text); err != nil {
			return d, err
		}
		sol.Draft = d.Articles
	}
	err := s.tx(ctx, func(ctx context.Context) error {
		if err := s.CreateSolicitation(ctx, sol); err != nil {
			return keyed(err, solicitationKeys)
		}
		detail := fmt.Sprintf("新建征求意见《%s》，截止 %s", sol.Title, sol.ClosesAt.In(s.loc).Format("2006-01-02 15:04"))
		if len(sol.Draft) > 0 {
			detail += fmt.Sprintf("，草案全文 %d 条", len(sol.Draft))
		}
		return s.audit(ctx, by, "solicitation.create", fmt.Sprintf("solicitation/%d", sol.ID), detail)
	})
	sol.Texts = len(sol.Draft)
	return d, err
}

// SetArticlesAs replaces the articles of a solicitation with those split
// from text, as by, audited; an opinion on an article the new text lacks
// refuses the change.
func (s *Opinions) SetArticlesAs(ctx context.Context, by Actor, id int64, text string) (DraftParse, error) {
	var d DraftParse
	if err := by.Require(Editors...); err != nil {
		return d, err
	}
	if strings.TrimSpace(text) == "" {
		return d, &FieldError{Key: "text", Label: "草案全文", Msg: "请粘贴草案全文"}
	}
	err := s.tx(ctx, func(ctx context.Context) error {
		sol, err := s.db.GetSolicitation(ctx, id)
		if err != nil {
			return err
		}
		if d, err = s.setArticles(ctx, id, text); err != nil {
			return keyed(err, solicitationKeys)
		}
		return s.audit(ctx, by, "solicitation.articles", fmt.Sprintf("solicitation/%d", id),
			fmt.Sprintf("录入《%s》草案条文 %d 条", sol.Title, len(d.Articles)))
	})
	return d, err
}

// WholeDraftGroup names the opinions on a draft as a whole.
const WholeDraftGroup = "总体意见（未注明条款）"

// ArticleGroup is the opinions on one article of a draft.
type ArticleGroup struct {
	Article  string // 第十二条, or WholeDraftGroup
	Text     string // the article's text, when stored
	Opinions []ArticleOpinion
}

// ArticleOpinion is an opinion in its article's group; Sub is the
// paragraph it names (第二款), if any.
type ArticleOpinion struct {
	model.Opinion
	Sub string
}

// SolicitationOpinions is a solicitation with its opinions grouped by
// article, and which of them were adopted.
type SolicitationOpinions struct {
	Solicitation model.Solicitation
	Articles     []model.SolicitationArticle
	Groups       []ArticleGroup
	Total        int
	Adopted      map[int64]model.Adoption // by opinion id
}

// ByArticleAs returns a solicitation's opinions grouped by article in the
// draft's order (第二条 before 第十条, whether typed 第2条 or 第二条), the
// opinions on the draft as a whole first, references it cannot read last;
// within a group the oldest first.
func (s *Opinions) ByArticleAs(ctx context.Context, by Actor, id int64) (SolicitationOpinions, error) {
	var out SolicitationOpinions
	if err := by.Require(Viewers...); err != nil {
		return out, err
	}
	var err error
	if out.Solicitation, err = s.db.GetSolicitation(ctx, id); err != nil {
		return out, err
	}
	list, _, err := s.db.ListOpinions(ctx, model.OpinionFilter{SolicitationID: id})
	if err != nil {
		return out, err
	}
	if out.Articles, err = s.db.SolicitationArticles(ctx, id); err != nil {
		return out, err
	}
	if out.Adopted, err = s.Adoptions(ctx, list); err != nil {
		return out, err
	}
	out.Groups, out.Total = groupByArticle(list, out.Articles), len(list)
	return out, nil
}

func groupByArticle(list []model.Opinion, articles []model.SolicitationArticle) []ArticleGroup {
	texts := make(map[int]string, len(articles))
	for _, a := range articles {
		texts[a.Number] = a.Body
	}
	idx := map[string]int{}
	var groups []ArticleGroup
	var keys []int
	for i := len(list) - 1; i >= 0; i-- { // the list is newest first
		o := list[i]
		name, key, sub := WholeDraftGroup, -1, ""
		if o.Article != "" {
			name, key = NormalizeArticle(o.Article), 1<<30
			if n := ArticleNumber(o.Article); n > 0 {
				name, key = ArticleHeading(n), n
				sub = strings.TrimPrefix(NormalizeArticle(o.Article), name)
			}
		}
		j, ok := idx[name]
		if !ok {
			j = len(groups)
			idx[name] = j
			groups = append(groups, ArticleGroup{Article: name, Text: paragraphs(texts[key])})
			keys = append(keys, key)
		}
		groups[j].Opinions = append(groups[j].Opinions, ArticleOpinion{o, sub})
	}
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if keys[a] != keys[b] {
			return keys[a] - keys[b]
		}
		return strings.Compare(groups[a].Article, groups[b].Article)
	})
	out := make([]ArticleGroup, len(groups))
	for i, j := range order {
		out[i] = groups[j]
	}
	return out
}

// ExportOpinionsAs writes a solicitation's opinions for the legislative
// affairs committee (法工委), one row per opinion in the draft's article
// order with its article's text and whether it was adopted; the export is
// audited before the file is handed out.
func (s *Opinions) ExportOpinionsAs(ctx context.Context, by Actor, id int64) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.tx(ctx, func(ctx context.Context) error {
		so, err := s.ByArticleAs(ctx, by, id)
		if err != nil {
			return err
		}
		sh, err := newSheetWriter("代表意见", []sheetColumn{{"条款", 14}, {"条文", 40}, {"意见", 60}, {"代表", 12},
			{"代表团", 18}, {"提交时间", 18}, {"是否采纳", 10}})
		if err != nil {
			return err
		}
		for _, g := range so.Groups {
			for _, o := range g.Opinions {
				yes := "否"
				if _, ok := so.Adopted[o.ID]; ok {
					yes = "是"
				}
				if err := sh.add(excelize.RowOpts{}, g.Article+o.Sub, g.Text, o.Body, o.DeputyName, o.DeputyDelegation,
					o.CreatedAt.In(s.loc).Format("2006-01-02 15:04"), yes); err != nil {
					_, _ = sh.bytes()
					return err
				}
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("法规草案意见-%d-%s.xlsx", id, s.now().In(s.loc).Format("20060102-1504"))
		return s.audit(ctx, by, "solicitation.export_opinions", fmt.Sprintf("solicitation/%d", id),
			fmt.Sprintf("导出《%s》代表意见 %d 条", so.Solicitation.Title, so.Total))
	})
	return out, err
}

// paragraphs is text with its lines trimmed and blank ones dropped.
func paragraphs(text string) string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// ExportSolicitationsAs writes every solicitation to a workbook for by,
// audited before the file is handed out.
func (s *Opinions) ExportSolicitationsAs(ctx context.Context, by Actor) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.tx(ctx, func(ctx context.Context) error {
		list, err := s.db.ListSolicitations(ctx)
		if err != nil {
			return err
		}
		const name = "法规草案征求意见"
		sh, err := newSheetWriter(name, []sheetColumn{{"编号", 8}, {"标题", 30}, {"说明", 40}, {"草案链接", 30},
			{"条数", 8}, {"开始时间", 18}, {"截止时间", 18}, {"状态", 10}, {"收到意见", 10}})
		if err != nil {
			return err
		}
		now := s.now()
		at := func(t time.Time) string { return t.In(s.loc).Format("2006-01-02 15:04") }
		for _, sol := range list {
			articles := ""
			if sol.Articles > 0 {
				articles = strconv.Itoa(sol.Articles)
			}
			if err := sh.add(excelize.RowOpts{}, strconv.FormatInt(sol.ID, 10), sol.Title, sol.Summary, sol.Link, articles,
				at(sol.OpensAt), at(sol.ClosesAt), WindowState(now, sol.OpensAt, sol.ClosesAt), strconv.Itoa(sol.Opinions)); err != nil {
				_, _ = sh.bytes()
				return err
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("%s-%s.xlsx", name, now.In(s.loc).Format("20060102-1504"))
		return s.audit(ctx, by, "solicitation.export", "solicitations", fmt.Sprintf("导出%s %d 条", name, len(list)))
	})
	return out, err
}
