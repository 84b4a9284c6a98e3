package bot

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

// 群众意见 in the chat: the public opinions staff routed to a station's
// deputies, numbered; 答复N answers the n-th (FlowPublicReply, ref = the
// opinion), and the answer goes to the member of the public who left it.
const FlowPublicReply = "public_reply"

// publicOpinionsShown is how many opinions 群众意见 lists.
const publicOpinionsShown = 5

var publicOpinionWords = map[string]bool{"群众意见": true, "联络站意见": true, "转交的意见": true}

type publicOpinionItem struct {
	Receipt, Category, Station, When, Status, Body string
}

// publicOpinionCommand answers 群众意见 and 答复N; ok is false for any
// other word.
func (r *Router) publicOpinionCommand(ctx context.Context, d model.Deputy, openid, word string) (string, bool, error) {
	if publicOpinionWords[word] {
		reply, err := r.publicOpinions(ctx, d)
		return reply, true, err
	}
	if n, ok := numberAfter(word, "答复"); ok {
		reply, err := r.answerNth(ctx, d, openid, n)
		return reply, true, err
	}
	return "", false, nil
}

// forwardCommand answers 转交N 单位 (the whole message, not folded: the
// unit's name follows the number): the n-th opinion of 群众意见 goes to
// that unit. ok is false for any other message, and for a deputy with no
// opinions routed to them (their text is then a message, 留言).
func (r *Router) forwardCommand(ctx context.Context, d model.Deputy, text string) (string, bool, error) {
	m := forwardRE.FindStringSubmatch(strings.TrimSpace(foldDigits(text)))
	if m == nil {
		return "", false, nil
	}
	n, _ := strconv.Atoi(m[1])
	by := core.DeputyActor(d, core.ViaWeChat)
	os, err := r.Core.PublicOpinions.ForDeputy(ctx, by, publicOpinionsShown)
	if err != nil {
		return "", true, err
	}
	if len(os) == 0 {
		// Not about an opinion: a message like any other (留言).
		return "", false, nil
	}
	if n < 1 || n > len(os) {
		reply, err := r.say("public.bad_number", map[string]any{"N": n, "Count": len(os)})
		return reply, true, err
	}
	o, err := r.Core.PublicOpinions.DeputyForward(ctx, by, os[n-1].ID, m[2])
	if msg := core.Message(err); msg != "" {
		reply, err := r.say("public.refused", map[string]any{"Problem": msg})
		return reply, true, err
	}
	if verr, ok := core.Fields(err); ok {
		reply, err := r.say("public.refused", map[string]any{"Problem": verr.Error()})
		return reply, true, err
	}
	if err != nil {
		return "", true, err
	}
	reply, err := r.say("public.forwarded", map[string]any{"Receipt": o.Receipt, "Unit": o.Unit})
	return reply, true, err
}

// forwardRE reads 转交2 区交通运输局: a space between the number and the
// unit, so a sentence such as 转交3份材料 is not taken for it.
var forwardRE = regexp.MustCompile(`^转交\s*([0-9]+)\s+(\S.*)$`)

func (r *Router) publicOpinions(ctx context.Context, d model.Deputy) (string, error) {
	os, err := r.Core.PublicOpinions.ForDeputy(ctx, core.DeputyActor(d, core.ViaWeChat), publicOpinionsShown)
	if err != nil {
		return "", err
	}
	if len(os) == 0 {
		return r.say("public.none", nil)
	}
	items := make([]publicOpinionItem, len(os))
	for i, o := range os {
		items[i] = publicOpinionItem{Receipt: o.Receipt, Category: o.CategoryLabel(), Station: o.StationName,
			When: r.local(o.CreatedAt).Format("1月2日"), Status: o.StatusLabel(), Body: shorten(o.Body, 60)}
	}
	return r.say("public.list", map[string]any{"Items": items})
}

func (r *Router) answerNth(ctx context.Context, d model.Deputy, openid string, n int) (string, error) {
	os, err := r.Core.PublicOpinions.ForDeputy(ctx, core.DeputyActor(d, core.ViaWeChat), publicOpinionsShown)
	if err != nil {
		return "", err
	}
	if n < 1 || n > len(os) {
		if len(os) == 0 {
			return r.say("public.none", nil)
		}
		return r.say("public.bad_number", map[string]any{"N": n, "Count": len(os)})
	}
	return r.Engine.Start(ctx, d, openid, FlowPublicReply, map[string]string{"ref": strconv.FormatInt(os[n-1].ID, 10)}, "", "")
}

func (r *Router) publicReplyFlow() *Flow {
	opinion := func(ctx context.Context, s *Session) (model.PublicOpinion, bool) {
		os, err := r.Core.PublicOpinions.ForDeputy(ctx, deputyOf(s), 100)
		if err != nil {
			return model.PublicOpinion{}, false
		}
		for _, o := range os {
			if o.ID == s.Param("ref") {
				return o, true
			}
		}
		return model.PublicOpinion{}, false
	}
	return &Flow{
		Name: FlowPublicReply,
		Title: func(ctx context.Context, s *Session) string {
			if o, ok := opinion(ctx, s); ok {
				return "答复群众意见 " + o.Receipt
			}
			return "答复群众意见"
		},
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			o, _ := opinion(ctx, s)
			data := map[string]any{"Receipt": o.Receipt, "Category": o.CategoryLabel(), "Station": o.StationName, "Body": o.Body}
			return []Step{{Name: "text", Kind: KindText, Prompt: "public.ask_reply", MaxLen: 2000,
				Data: func(context.Context, *Session) any { return data }}}, nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			_, err := r.Core.PublicOpinions.DeputyReply(ctx, deputyOf(s), s.Param("ref"), s.Answers["text"])
			if msg := core.Message(err); msg != "" {
				return r.say("public.refused", map[string]any{"Problem": msg})
			}
			if verr, ok := core.Fields(err); ok {
				return r.say("public.refused", map[string]any{"Problem": verr.Error()})
			}
			if err != nil {
				return "", err
			}
			o, _ := opinion(ctx, s)
			return r.say("public.replied", map[string]any{"Receipt": o.Receipt})
		},
	}
}
