package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"deputybot/model"
)

// A reply that is no command answers what was just asked: the most recent
// push that asks for it. When asks of different kinds could each take the
// reply ("1" is 参加 to an invitation and 当面沟通 to a rating request),
// the deputy is asked which, with numbers.

// FlowPickAsk asks which of several open asks a reply was meant for.
// Params: text = the reply; asks = "flow:ref" of each candidate, newest
// first, separated by ";".
const FlowPickAsk = "pick_ask"

// answerAsks answers the deputy's open asks with text; ok is false when
// text answers none of them and is no short fumbled answer either (it is
// then a message).
func (r *Router) answerAsks(ctx context.Context, d model.Deputy, openid, text string, asks []model.PendingAsk) (string, bool, error) {
	if len(asks) == 0 {
		return "", false, nil
	}
	newest := slices.Clone(asks)
	slices.Reverse(newest) // OpenAsks lists the oldest first
	var matched []model.PendingAsk
	flows := map[string]bool{}
	for _, a := range newest {
		ok, err := r.Engine.answersFirstStep(ctx, d, openid, a.Flow, askParams(a), text)
		if err != nil {
			return "", true, err
		}
		if ok {
			matched = append(matched, a)
			flows[a.Flow] = true
		}
	}
	switch {
	case len(flows) == 1:
		// The most recent of its kind: 参加 answers the latest invitation.
		reply, err := r.startAsk(ctx, d, openid, matched[0], text, "")
		return reply, true, err
	case len(flows) > 1:
		// Of each kind the most recent only: which kind was meant?
		var picks []model.PendingAsk
		seen := map[string]bool{}
		for _, a := range matched {
			if !seen[a.Flow] {
				seen[a.Flow] = true
				picks = append(picks, a)
			}
		}
		refs := make([]string, len(picks))
		for i, a := range picks {
			refs[i] = a.Flow + ":" + strconv.FormatInt(a.RefID, 10)
		}
		reply, err := r.Engine.Start(ctx, d, openid, FlowPickAsk,
			map[string]string{"text": strings.TrimSpace(text), "asks": strings.Join(refs, ";")}, "", "")
		return reply, true, err
	}
	if utf8.RuneCountInString(strings.TrimSpace(text)) > answerMaxRunes {
		return "", false, nil
	}
	// A short reply that answers nothing: show the latest ask again.
	intro := ""
	if len(newest) > 1 {
		intro, _ = r.say("asks.list", map[string]any{"Asks": newest})
	}
	reply, err := r.startAsk(ctx, d, openid, newest[0], text, intro)
	return reply, true, err
}

func askParams(a model.PendingAsk) map[string]string {
	return map[string]string{"ref": strconv.FormatInt(a.RefID, 10)}
}

// startAsk starts the flow answering a with text: as the answer to its
// first step, or as its quick answer (满意 to a rating request).
func (r *Router) startAsk(ctx context.Context, d model.Deputy, openid string, a model.PendingAsk, text, intro string) (string, error) {
	params := askParams(a)
	if f, ok := r.Engine.Flows[a.Flow]; ok && f.QuickAnswer != nil {
		if extra, ok := f.QuickAnswer(normalizeWord(text)); ok {
			for k, v := range extra {
				params[k] = v
			}
			return r.Engine.Start(ctx, d, openid, a.Flow, params, "", intro)
		}
	}
	return r.Engine.Start(ctx, d, openid, a.Flow, params, text, intro)
}

// pickAskFlow asks which open ask a reply was meant for, then gives it the
// reply.
func (r *Router) pickAskFlow() *Flow {
	type cand struct {
		flow string
		ref  int64
	}
	cands := func(s *Session) []cand {
		var out []cand
		for _, p := range strings.Split(s.Params["asks"], ";") {
			flow, ref, ok := strings.Cut(p, ":")
			n, err := strconv.ParseInt(ref, 10, 64)
			if ok && err == nil {
				out = append(out, cand{flow, n})
			}
		}
		return out
	}
	return &Flow{
		Name:  FlowPickAsk,
		Title: func(context.Context, *Session) string { return "选择要回复的事项" },
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			open, err := r.Store.OpenAsks(ctx, s.Deputy.ID)
			if err != nil {
				return nil, err
			}
			var choices []Choice
			for _, c := range cands(s) {
				title := c.flow
				for _, a := range open {
					if a.Flow == c.flow && a.RefID == c.ref {
						title = a.Title
					}
				}
				choices = append(choices, Choice{Value: fmt.Sprintf("%s:%d", c.flow, c.ref), Label: title})
			}
			text := s.Params["text"]
			return []Step{{Name: "which", Kind: KindChoice, Prompt: "asks.which", Choices: choices,
				Data: func(context.Context, *Session) any { return map[string]any{"Text": text, "Count": len(choices)} }}}, nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			flow, ref, _ := strings.Cut(s.Answers["which"], ":")
			n, _ := strconv.ParseInt(ref, 10, 64)
			return r.startAsk(ctx, s.Deputy, s.OpenID, model.PendingAsk{Flow: flow, RefID: n}, s.Params["text"], "")
		},
	}
}

// answerVariant strips the polite words around a short answer, so that
// 好的我参加, 参加吧, 可以参加 and 我请假 read as 参加 and 请假. It returns ""
// when nothing was stripped.
func answerVariant(word string) string {
	w := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}, word)
	for changed := true; changed && w != ""; {
		changed = false
		for _, p := range []string{"好的", "好", "嗯", "行", "那", "我会", "我能", "我要", "我", "可以", "能", "会", "愿意", "要"} {
			if rest, ok := strings.CutPrefix(w, p); ok && rest != "" {
				w, changed = rest, true
				break
			}
		}
		for _, suf := range []string{"吧", "了", "啊", "呀", "哈", "呢", "哦", "的"} {
			if rest, ok := strings.CutSuffix(w, suf); ok && rest != "" {
				w, changed = rest, true
				break
			}
		}
	}
	if w == word {
		return ""
	}
	return w
}
