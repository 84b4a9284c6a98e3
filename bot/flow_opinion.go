package bot

import (
	"context"
	"errors"
	"strconv"
	"unicode/utf8"

	"deputybot/core"
	"deputybot/model"
)

// FlowOpinion sends an opinion (意见建议), or an opinion on a draft
// regulation under solicitation; ref, when set, is the solicitation.
const FlowOpinion = "opinion"

// opinionFlow: category (or a draft regulation, which article), the text
// over one or several messages until 完成, a confirmation, a receipt.
func (r *Router) opinionFlow() *Flow {
	svc := r.Core.Opinions
	solicitationOf := func(s *Session) int64 {
		if id := s.Param("ref"); id > 0 {
			return id
		}
		if s.Answers["category"] == model.OpinionSolicitation {
			id, _ := strconv.ParseInt(s.Answers["solicitation"], 10, 64)
			return id
		}
		return 0
	}
	// draftOf is the solicitation the session is about, with its articles.
	draftOf := func(ctx context.Context, s *Session) draft {
		var d draft
		id := solicitationOf(s)
		if id == 0 {
			return d
		}
		if d.sol, d.err = svc.Solicitation(ctx, id); d.err != nil {
			return d
		}
		if d.articles, d.err = svc.Articles(ctx, id); d.err != nil {
			return d
		}
		d.rng = core.ArticleRange(d.articles, d.sol.Articles)
		d.example = core.ArticleExample(d.articles, d.sol.Articles)
		return d
	}
	resolve := func(_ context.Context, d draft, input string) (core.ArticleChoice, error) {
		if d.err != nil {
			return core.ArticleChoice{}, d.err
		}
		return core.ResolveArticleIn(d.articles, d.sol.Articles, input)
	}
	return &Flow{
		Name:  FlowOpinion,
		Title: func(context.Context, *Session) string { return "提交意见建议" },
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			open, err := svc.OpenSolicitations(ctx)
			if err != nil {
				return nil, err
			}
			var sols []Choice
			for _, o := range open {
				sols = append(sols, Choice{Value: strconv.FormatInt(o.ID, 10), Label: o.Title})
			}
			categories := toChoices(core.OpinionCategoryChoices)
			if len(sols) > 0 {
				categories = append(categories, Choice{Value: model.OpinionSolicitation, Label: "法规草案征求意见", Aliases: []string{"法规草案", "草案"}})
			}
			steps := []Step{
				{Name: "category", Label: "类别", Kind: KindChoice, Prompt: "opinion.category", Choices: categories,
					Next: func(_ *Session, v string) string {
						if v == model.OpinionSolicitation {
							return "solicitation"
						}
						return "body"
					}},
				{Name: "solicitation", Label: "法规草案", Kind: KindChoice, Prompt: "opinion.solicitation", Choices: sols},
				{Name: "article", Label: "条款", Kind: KindText, Prompt: "opinion.article", MaxLen: 50,
					Data: func(ctx context.Context, s *Session) any {
						d := draftOf(ctx, s)
						return map[string]any{"Range": d.rng, "Example": d.example}
					},
					Check: func(ctx context.Context, s *Session, v string) (string, error) {
						d := draftOf(ctx, s)
						if d.err != nil {
							return "", d.err
						}
						_, err := resolve(ctx, d, v)
						var problem *core.ArticleProblem
						if errors.As(err, &problem) {
							return r.say("opinion.article_invalid", map[string]any{"Input": problem.Input,
								"Range": problem.Range, "Example": problem.Example})
						}
						return "", err
					}},
				{Name: "body", Label: "意见内容", Kind: KindMultiText, Prompt: "opinion.body", MaxLen: core.MaxOpinionRunes,
					Data: func(ctx context.Context, s *Session) any {
						// Echo the article chosen, so a wrong number is noticed now.
						data := map[string]any{"Article": "", "Excerpt": ""}
						if a, ok := s.Answers["article"]; ok && solicitationOf(s) > 0 {
							if c, err := resolve(ctx, draftOf(ctx, s), a); err == nil {
								data["Article"] = orWhole(c)
								if c.Article != nil {
									data["Excerpt"] = core.Excerpt(c.Article.Body, 30)
								}
							}
						}
						return data
					}},
				{Name: "confirm", Kind: KindYesNo, Prompt: "opinion.confirm", Data: func(ctx context.Context, s *Session) any {
					body := s.Answers["body"]
					preview := body
					if utf8.RuneCountInString(preview) > 120 {
						preview = string([]rune(preview)[:120]) + "……"
					}
					label := core.OpinionCategoryLabel(s.Answers["category"])
					target := ""
					if id := solicitationOf(s); id > 0 {
						label = "法规草案意见"
						if sol, err := svc.Solicitation(ctx, id); err == nil {
							target = sol.Title
						}
						if c, err := resolve(ctx, draftOf(ctx, s), s.Answers["article"]); err == nil {
							target += " " + orWhole(c)
						}
					}
					return map[string]any{"Category": label, "Target": target, "Len": utf8.RuneCountInString(body), "Preview": preview}
				}},
			}
			if s.Param("ref") > 0 {
				// Answering a solicitation's push: the draft is known.
				return steps[2:], nil
			}
			return steps, nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			if s.Answers["confirm"] != "yes" {
				return r.say("opinion.discarded", nil)
			}
			o := model.Opinion{Category: s.Answers["category"], Body: s.Answers["body"], Channel: model.OpinionViaWeChat}
			if id := solicitationOf(s); id > 0 {
				// core reads 12, 第十二条, 十二 and 整体 alike.
				o.Category, o.SolicitationID, o.Article = model.OpinionSolicitation, id, s.Answers["article"]
			}
			files := sessionFiles(s)
			receipt, err := svc.SubmitAs(ctx, deputyOf(s), o, files...)
			var verr core.ValidationError
			switch {
			case errors.Is(err, core.ErrSolicitationClosed):
				return r.say("opinion.closed", nil)
			case errors.As(err, &verr):
				return r.say("opinion.invalid", map[string]any{"Problem": verr.Error()})
			case err != nil:
				return "", err
			}
			return r.say("opinion.saved", map[string]any{"Receipt": receipt, "Files": len(files)})
		},
	}
}

// draft is the solicitation an opinion is on, as the article step needs it.
type draft struct {
	sol          model.Solicitation
	articles     []model.SolicitationArticle
	rng, example string // 第一条至第六十条, 第十二条
	err          error
}

// orWhole names an article choice for the deputy: 第十二条, or 草案整体.
func orWhole(c core.ArticleChoice) string {
	if c.Stored == "" {
		return "草案整体"
	}
	return c.Stored
}
