package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"deputybot/core"
	"deputybot/storage"
)

// FlowOpinion sends an opinion (意见建议), or an opinion on a draft
// regulation under solicitation; ref, when set, is the solicitation.
const FlowOpinion = "opinion"

// opinionFlow: category (or a draft regulation, which article), the text
// over one or several messages until 完成, a confirmation, a receipt.
func (r *Router) opinionFlow() *Flow {
	svc := core.NewOpinions(r.DB)
	svc.SetClock(r.now)
	solicitationOf := func(s *Session) int64 {
		if id := s.Param("ref"); id > 0 {
			return id
		}
		if s.Answers["category"] == storage.OpinionSolicitation {
			id, _ := strconv.ParseInt(s.Answers["solicitation"], 10, 64)
			return id
		}
		return 0
	}
	return &Flow{
		Name:  FlowOpinion,
		Title: func(*Session) string { return "提交意见建议" },
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
				categories = append(categories, Choice{Value: storage.OpinionSolicitation, Label: "法规草案征求意见", Aliases: []string{"法规草案", "草案"}})
			}
			steps := []Step{
				{Name: "category", Kind: KindChoice, Prompt: "opinion.category", Choices: categories,
					Next: func(_ *Session, v string) string {
						if v == storage.OpinionSolicitation {
							return "solicitation"
						}
						return "body"
					}},
				{Name: "solicitation", Kind: KindChoice, Prompt: "opinion.solicitation", Choices: sols},
				{Name: "article", Kind: KindText, Prompt: "opinion.article", MaxLen: 50},
				{Name: "body", Kind: KindMultiText, Prompt: "opinion.body", MaxLen: core.MaxOpinionRunes},
				{Name: "confirm", Kind: KindYesNo, Prompt: "opinion.confirm", Data: func(s *Session) any {
					body := s.Answers["body"]
					preview := body
					if utf8.RuneCountInString(preview) > 120 {
						preview = string([]rune(preview)[:120]) + "……"
					}
					label := core.OpinionCategoryLabel(s.Answers["category"])
					target := ""
					if id := solicitationOf(s); id > 0 {
						label = "法规草案意见"
						if sol, err := svc.Solicitation(context.Background(), id); err == nil {
							target = sol.Title
						}
						if a := s.Answers["article"]; a != "" {
							target += " " + a
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
			o := core.Opinion{Category: s.Answers["category"], Body: s.Answers["body"], Channel: storage.OpinionViaWeChat}
			if id := solicitationOf(s); id > 0 {
				o.Category, o.SolicitationID = storage.OpinionSolicitation, id
				if a := strings.TrimSpace(s.Answers["article"]); a != "整体" && a != "全文" {
					o.Article = a
				}
			}
			receipt, err := svc.Submit(ctx, s.Deputy.ID, o)
			var verr core.ValidationError
			switch {
			case errors.Is(err, core.ErrSolicitationClosed):
				return r.say("opinion.closed", nil)
			case errors.As(err, &verr):
				return r.say("opinion.invalid", map[string]any{"Problem": verr.Error()})
			case err != nil:
				return "", err
			}
			return r.say("opinion.saved", map[string]any{"Receipt": receipt})
		},
	}
}
