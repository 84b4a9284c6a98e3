package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func toChoices(cs []core.Choice) []Choice {
	out := make([]Choice, len(cs))
	for i, c := range cs {
		out[i] = Choice{Value: c.Value, Label: c.Label}
	}
	return out
}

// rateFlow rates the handling of a suggestion (ref = suggestion id): how
// the unit communicated, attitude, result, a reason for any 不满意, then a
// summary to confirm.
func (r *Router) rateFlow() *Flow {
	svc := r.Core.Suggestions
	dissatisfied := func(s *Session) bool {
		return s.Answers["attitude"] == model.RatingDissatisfied || s.Answers["result"] == model.RatingDissatisfied
	}
	refusal := func(err error) (string, bool) {
		switch {
		case errors.Is(err, core.ErrNotOnSuggestion):
			t, _ := r.say("rate.not_on", nil)
			return t, true
		case errors.Is(err, core.ErrNotRateable):
			t, _ := r.say("rate.not_yet", nil)
			return t, true
		case errors.Is(err, core.ErrRatingClosed):
			t, _ := r.say("rate.closed", nil)
			return t, true
		}
		return "", false
	}
	satisfaction := toChoices(core.SatisfactionChoices)
	satisfaction[0].Aliases = []string{"非常满意", "很满意"}
	satisfaction[2].Aliases = []string{"不太满意", "很不满意"}
	return &Flow{
		Name: core.FlowRate,
		Title: func(ctx context.Context, s *Session) string {
			if sg, err := svc.Get(ctx, s.Param("ref")); err == nil {
				return "建议办理满意度测评：" + sg.Number
			}
			return "建议办理满意度测评"
		},
		// 满意 (基本满意, 不满意) in reply to the rating request rates the
		// overall result; the other two questions follow.
		QuickAnswer: func(word string) (map[string]string, bool) {
			if c, ok := matchChoice(satisfaction, word); ok && !isNumber(word) {
				return map[string]string{"result": c.Value}, true
			}
			return nil, false
		},
		Begin: func(ctx context.Context, s *Session) (string, error) {
			// Refuse before asking anything: not theirs, not replied yet, or
			// a revision past its window.
			_, err := svc.CanRate(ctx, deputyOf(s), s.Param("ref"))
			if text, ok := refusal(err); ok {
				return text, nil
			}
			if v := s.Params["result"]; v != "" {
				s.Answers["result"] = v
			}
			return "", err
		},
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			sg, err := svc.Get(ctx, s.Param("ref"))
			if err != nil {
				return nil, err
			}
			toReason := func(s *Session, _ string) string {
				if dissatisfied(s) {
					return "reason"
				}
				return "confirm"
			}
			// Given the result up front (a bare 满意), two questions remain.
			given := core.SatisfactionLabel(s.Params["result"])
			head := map[string]any{"Number": sg.Number, "Title": sg.Title, "Unit": sg.HostUnit, "Given": given}
			steps := []Step{
				{Name: "contact", Label: "沟通方式", Kind: KindChoice, Prompt: "rate.contact", Data: func(context.Context, *Session) any { return head },
					Choices: toChoices(core.ContactChoices)},
				{Name: "attitude", Label: "办理态度", Kind: KindChoice, Prompt: "rate.attitude", Choices: satisfaction},
				{Name: "result", Label: "办理结果", Kind: KindChoice, Prompt: "rate.result", Choices: satisfaction, Next: toReason},
				{Name: "reason", Label: "不满意原因", Kind: KindText, Prompt: "rate.reason", MaxLen: 500,
					// Only a 不满意 result sends the suggestion back (core.Rate);
					// the prompt promises no more than that.
					Data: func(_ context.Context, s *Session) any {
						return map[string]any{"Result": s.Answers["result"] == model.RatingDissatisfied,
							"Attitude": s.Answers["attitude"] == model.RatingDissatisfied}
					}},
				{Name: "confirm", Kind: KindYesNo, Prompt: "rate.confirm", Data: func(_ context.Context, s *Session) any {
					reason := ""
					if dissatisfied(s) {
						reason = s.Answers["reason"]
					}
					return map[string]any{"Contact": core.ContactLabel(s.Answers["contact"]),
						"Attitude": core.SatisfactionLabel(s.Answers["attitude"]),
						"Result":   core.SatisfactionLabel(s.Answers["result"]), "Reason": reason}
				}},
			}
			if given != "" {
				steps[1].Next = toReason
				steps = slices.Delete(steps, 2, 3)
			}
			return steps, nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			if s.Answers["confirm"] != "yes" {
				return r.say("rate.discarded", nil)
			}
			reason := ""
			if dissatisfied(s) {
				reason = s.Answers["reason"]
			}
			_, err := svc.RateAs(ctx, deputyOf(s), s.Param("ref"), core.Rating{Contact: s.Answers["contact"],
				Attitude: s.Answers["attitude"], Result: s.Answers["result"], Reason: reason})
			if text, ok := refusal(err); ok {
				return text, nil
			}
			if err != nil {
				return "", err
			}
			days := int(svc.RatingRevisionWindow.Hours() / 24)
			return r.say("rate.saved", map[string]any{"Rehandle": s.Answers["result"] == model.RatingDissatisfied,
				"Window": fmt.Sprintf("%d 天", days)})
		},
	}
}

type suggestionItem struct {
	Number, Title, Unit, Status string
	Deadline                    string // 办理期限, 2026-06-30; empty when none
	Rateable, Rated             bool
}

// mySuggestions lists the deputy's suggestions with their status.
func (r *Router) mySuggestions(ctx context.Context, d model.Deputy) (string, error) {
	// Those not assigned yet (drafts, under review, returned) are listed
	// by 提建议; here they are counted.
	list, pending, err := r.Core.Suggestions.MineWithDrafts(ctx, core.DeputyActor(d, core.ViaWeChat))
	if err != nil {
		return "", err
	}
	return r.suggestionList(list, pending)
}

// suggestionList is 我的建议's answer.
func (r *Router) suggestionList(list []model.DeputySuggestion, pending int) (string, error) {
	if len(list) == 0 {
		return r.say("suggestions.none", map[string]any{"Pending": pending})
	}
	items := make([]suggestionItem, len(list))
	unrated := false
	for i, s := range list {
		items[i] = suggestionItem{Number: s.Number, Title: s.Title, Unit: s.HostUnit,
			Status: core.SuggestionStatusLabel(s.Status), Rateable: s.CanRate(), Rated: s.Rated}
		if s.Deadline.Valid {
			items[i].Deadline = s.Deadline.Time.Format(time.DateOnly)
		}
		if items[i].Rateable && !s.Rated {
			unrated = true
		}
	}
	return r.say("suggestions.list", map[string]any{"Items": items, "AnyUnrated": unrated, "Pending": pending})
}

// rateNth starts rating the n-th suggestion of 我的建议.
func (r *Router) rateNth(ctx context.Context, d model.Deputy, openid string, n int) (string, error) {
	list, err := r.Core.Suggestions.OfDeputy(ctx, d.ID)
	if err != nil {
		return "", err
	}
	if n < 1 || n > len(list) {
		return r.mySuggestions(ctx, d)
	}
	return r.Engine.Start(ctx, d, openid, core.FlowRate, map[string]string{"ref": strconv.FormatInt(list[n-1].ID, 10)}, "", "")
}
