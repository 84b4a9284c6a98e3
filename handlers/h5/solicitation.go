package h5

import (
	"context"
	"errors"
	"unicode/utf8"

	"deputybot/core"
	"deputybot/model"
)

// The solicitation section (a draft regulation, article by article) and the opinion section.

type h5Solicitation struct {
	ID                    int64
	Title, Link, Closes   string
	SummaryParas          []string
	Articles              int
	Open                  bool
	Receipt               string
	Article, Body, Action string
	// The draft's articles, each with its own opinion box, when its text
	// is stored; else one box with a free-text article field.
	ArticleList []h5Article
	Whole       h5Article // the box for the draft as a whole
	Mine        int       // the deputy's opinions on this draft so far
}

// h5Article is one article of a draft and the deputy's box for it.
type h5Article struct {
	Heading string // 第十二条; "" for the draft as a whole
	Paras   []string
	Long    bool   // folded behind its first words
	Excerpt string // those words
	Mine    int    // the deputy's opinions on it so far
	Body    string // a refused opinion's text, shown again
	Refused bool   // the refused opinion was on it: open its box
	Action  string // where its box posts
}

// h5ArticleFold is how long an article may be before it is folded.
const h5ArticleFold = 120

func (h *server) solicitationSection(ctx context.Context, s *h5Section, dep, id int64, t h5Target, in h5Input) error {
	sol, err := h.opinions.Solicitation(ctx, id)
	if err != nil {
		return err
	}
	v := &h5Solicitation{ID: sol.ID, Title: sol.Title, Link: sol.Link, Closes: h.fmtTime(sol.ClosesAt),
		SummaryParas: paragraphs(sol.Summary), Articles: sol.Articles, Open: sol.OpenAt(h.d.Now()),
		Article: in.Form.Get("article"), Body: in.Form.Get("body"), Action: t.action("opinion")}
	if !v.Open {
		s.Note = "征求意见已于 " + v.Closes + " 截止，感谢您的关注。"
		if h.d.Now().Before(sol.OpensAt) {
			s.Note = "征求意见将于 " + h.fmtTime(sol.OpensAt) + " 开始。"
		}
	}
	if err := h.solicitationArticles(ctx, v, dep, in); err != nil {
		return err
	}
	if in.Done == "opinion" && in.Receipt != "" {
		// The receipt comes from the URL: show it only if it is this
		// deputy's opinion on this draft.
		op, err := h.opinions.ByReceipt(ctx, in.Receipt)
		if err == nil && op.DeputyID == dep && op.SolicitationID == id {
			v.Receipt = op.Receipt
			on := "草案整体"
			if op.Article != "" {
				on = op.Article
			}
			s.Done = "您对" + on + "的意见已收到，回执编号 " + op.Receipt + "。请保存此编号，以便查询办理情况。"
		} else if err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
	}
	s.Solicitation = v
	return nil
}

// solicitationArticles fills the draft's articles, with how many opinions
// the deputy gave on each and a refused opinion put back in its box.
func (h *server) solicitationArticles(ctx context.Context, v *h5Solicitation, dep int64, in h5Input) error {
	list, err := h.opinions.Articles(ctx, v.ID)
	if err != nil {
		return err
	}
	mine, _, err := h.opinions.List(ctx, model.OpinionFilter{DeputyID: dep, SolicitationID: v.ID})
	if err != nil {
		return err
	}
	v.Mine = len(mine)
	per := map[int]int{}
	for _, o := range mine {
		per[core.ArticleNumber(o.Article)]++
	}
	refused := -1 // the article of the refused opinion; 0 for the whole draft
	if len(in.Errors) > 0 {
		refused = core.ArticleNumber(in.Form.Get("article"))
	}
	v.Whole = h5Article{Mine: per[0], Refused: refused == 0, Action: v.Action}
	if refused == 0 {
		v.Whole.Body = in.Form.Get("body")
	}
	for _, a := range list {
		x := h5Article{Heading: a.Heading, Paras: paragraphs(a.Body), Mine: per[a.Number], Refused: refused == a.Number,
			Action: v.Action}
		if utf8.RuneCountInString(a.Body) > h5ArticleFold {
			x.Long, x.Excerpt = true, core.Excerpt(a.Body, 40)
		}
		if x.Refused {
			x.Body = in.Form.Get("body")
		}
		v.ArticleList = append(v.ArticleList, x)
	}
	return nil
}

type h5Opinion struct {
	Receipt, Category, SolicitationTitle, Article string
	Status, Submitted, RepliedAt                  string
	BodyParas, ReplyParas                         []string
}

func (h *server) opinionSection(ctx context.Context, s *h5Section, dep, id int64) error {
	op, err := h.opinions.Get(ctx, id)
	if err != nil {
		return err
	}
	if op.DeputyID != dep {
		s.NotYours, s.Note = true, "该意见不是您提交的，无法查看。"
		return nil
	}
	v := &h5Opinion{Receipt: op.Receipt, Category: core.OpinionCategoryLabel(op.Category),
		SolicitationTitle: op.SolicitationTitle, Article: op.Article, Status: core.OpinionStatusLabel(op.Status),
		Submitted: h.fmtTime(op.CreatedAt), BodyParas: paragraphs(op.Body), ReplyParas: paragraphs(op.StaffReply)}
	if op.RepliedAt != nil {
		v.RepliedAt = h.fmtTime(*op.RepliedAt)
	}
	s.Opinion = v
	return nil
}
