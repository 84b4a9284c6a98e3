package bot

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"deputybot/core"
	"deputybot/model"
)

// FlowSuggest is 提建议: a deputy writes a suggestion (title, content over
// one or several messages, category, co-signers) and submits it for
// staff review, or keeps it as a draft. Params: drafts = the ids of the
// deputy's editable suggestions offered at the start, in order; draft =
// the one being edited, once chosen.
const FlowSuggest = "suggest"

// suggestWords start 提建议.
var suggestWords = map[string]bool{"提建议": true, "写建议": true, "我要提建议": true, "提交建议": true,
	"代表建议": true, "我的草稿": true, "建议草稿": true}

// suggestCommand answers 提建议; ok is false for any other word.
func (r *Router) suggestCommand(ctx context.Context, d model.Deputy, openid, word string) (string, bool, error) {
	if !suggestWords[word] {
		return "", false, nil
	}
	drafts, err := r.Core.Suggestions.DraftsOf(ctx, core.DeputyActor(d, core.ViaWeChat))
	if err != nil {
		return "", true, err
	}
	var ids []string
	for _, sg := range drafts {
		if model.Editable(sg.Status) {
			ids = append(ids, strconv.FormatInt(sg.ID, 10))
		}
	}
	reply, err := r.Engine.Start(ctx, d, openid, FlowSuggest, map[string]string{"drafts": strings.Join(ids, ",")}, "", "")
	return reply, true, err
}

// suggestFormURL is the H5 form of the same, or "" without pages.
func (r *Router) suggestFormURL() string {
	if r.PagesURL == "" {
		return ""
	}
	return strings.TrimRight(r.PagesURL, "/") + "/h5/suggest"
}

func (r *Router) suggestFlow() *Flow {
	sv := r.Core.Suggestions
	categories := toChoices(core.SuggestionCategoryChoices())
	// load fills the answers from the draft chosen, as if typed, so the
	// confirmation shows it and 否 can change any part of it.
	load := func(ctx context.Context, s *Session, id int64) error {
		sub, err := sv.SubmissionAs(ctx, deputyOf(s), id)
		if err != nil {
			return err
		}
		var names []string
		for _, c := range sub.Cosigners {
			names = append(names, c.Name)
		}
		s.Params["draft"] = strconv.FormatInt(id, 10)
		s.Answers["title"], s.Answers["content"], s.Answers["category"] = sub.Title, sub.Summary, sub.Category
		s.Answers["cosigners"] = strings.Join(names, "、")
		for _, name := range []string{"title", "content", "category", "cosigners"} {
			if s.Answers[name] != "" || name == "cosigners" {
				s.History = append(s.History, name)
			}
		}
		return nil
	}
	return &Flow{
		Name:         FlowSuggest,
		KeepOnCancel: true,
		Title: func(_ context.Context, s *Session) string {
			if t := s.Answers["title"]; t != "" {
				return "提建议《" + t + "》"
			}
			return "提建议"
		},
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			var steps []Step
			if s.Params["drafts"] != "" {
				drafts, err := sv.DraftsOf(ctx, deputyOf(s))
				if err != nil {
					return nil, err
				}
				byID := map[string]model.Suggestion{}
				for _, sg := range drafts {
					byID[strconv.FormatInt(sg.ID, 10)] = sg
				}
				var choices []Choice
				for _, id := range strings.Split(s.Params["drafts"], ",") {
					sg, ok := byID[id]
					label := "（已提交或已处理）"
					if ok {
						label = "《" + sg.Title + "》（" + core.SuggestionStageLabel(sg.Status)
						if sg.Status == model.SuggestionReturned && sg.ReviewNote != "" {
							label += "：" + core.Excerpt(sg.ReviewNote, 40)
						}
						label += "）"
					}
					choices = append(choices, Choice{Value: id, Label: label})
				}
				choices = append(choices, Choice{Value: "new", Label: "新写一条建议", Aliases: []string{"新建", "新写", "新的"}})
				steps = append(steps, Step{Name: "pick", Kind: KindChoice, Prompt: "suggest.pick", Choices: choices,
					Check: func(ctx context.Context, s *Session, v string) (string, error) {
						if v == "new" {
							return "", nil
						}
						id, _ := strconv.ParseInt(v, 10, 64)
						err := load(ctx, s, id)
						if msg := core.Message(err); msg != "" {
							return msg + "请选择其他项，或回复“新写”。", nil
						}
						return "", err
					},
					Next: func(s *Session, v string) string {
						if v == "new" {
							return "title"
						}
						return "confirm"
					}})
			}
			steps = append(steps,
				Step{Name: "title", Label: "标题", Kind: KindText, Prompt: "suggest.title", MaxLen: core.MaxSuggestionTitle,
					Data: func(context.Context, *Session) any { return map[string]any{"URL": r.suggestFormURL()} }},
				Step{Name: "content", Label: "建议内容", Kind: KindMultiText, Prompt: "suggest.content", MaxLen: core.MaxSuggestionContent},
				Step{Name: "category", Label: "类别", Kind: KindChoice, Prompt: "suggest.category", Choices: categories},
				Step{Name: "cosigners", Label: "附议代表", Kind: KindText, Prompt: "suggest.cosigners", Optional: true, MaxLen: 200,
					Check: func(ctx context.Context, s *Session, v string) (string, error) {
						_, err := sv.ResolveCosigners(ctx, s.Deputy, core.SplitDeputyNames(v))
						if verr, ok := core.Fields(err); ok {
							var msgs []string
							for _, e := range verr {
								msgs = append(msgs, "“"+e.Value+"”"+e.Msg)
							}
							return r.say("suggest.cosigners_invalid", map[string]any{"Problems": strings.Join(msgs, "；")})
						}
						return "", err
					}},
				Step{Name: "confirm", Kind: KindYesNo, Prompt: "suggest.confirm", Data: func(_ context.Context, s *Session) any {
					content := s.Answers["content"]
					return map[string]any{"Title": s.Answers["title"], "Category": s.Answers["category"],
						"Len": utf8.RuneCountInString(content), "Preview": core.Excerpt(content, 120),
						"Cosigners": s.Answers["cosigners"], "Returned": s.Params["draft"] != ""}
				}},
			)
			return steps, nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			in := core.SuggestionDraft{Title: s.Answers["title"], Content: s.Answers["content"], Category: s.Answers["category"],
				Cosigners: core.SplitDeputyNames(s.Answers["cosigners"])}
			in.ID, _ = strconv.ParseInt(s.Params["draft"], 10, 64)
			if s.Answers["confirm"] != "yes" {
				// Given up at the confirmation: what was written is kept
				// as a draft, not thrown away.
				if strings.TrimSpace(in.Title) == "" {
					return r.say("suggest.discarded", nil)
				}
				sg, err := sv.SaveDraftAs(ctx, deputyOf(s), in)
				if problem := problemOf(err); problem != "" {
					return r.say("suggest.failed", map[string]any{"Problem": problem})
				}
				if err != nil {
					return "", err
				}
				return r.say("suggest.drafted", map[string]any{"Number": sg.Number, "Title": sg.Title, "URL": r.suggestFormURL()})
			}
			sg, err := sv.SubmitAs(ctx, deputyOf(s), in)
			if problem := problemOf(err); problem != "" {
				return r.say("suggest.failed", map[string]any{"Problem": problem})
			}
			if err != nil {
				return "", err
			}
			return r.say("suggest.submitted", map[string]any{"Number": sg.Number, "Title": sg.Title,
				"Cosigners": s.Answers["cosigners"]})
		},
	}
}

// problemOf is the sentence a refusal says (a field error, a conflict), or
// "" for an error that is no refusal.
func problemOf(err error) string {
	if err == nil {
		return ""
	}
	if verr, ok := core.Fields(err); ok {
		var msgs []string
		for _, e := range verr {
			m := e.Label + e.Msg
			if e.Value != "" {
				m = e.Label + "“" + e.Value + "”" + e.Msg
			}
			msgs = append(msgs, m)
		}
		return strings.Join(msgs, "；")
	}
	return core.Message(err)
}

// cosignFlow is a deputy's answer to an invitation to co-sign (ref = the
// suggestion): 同意 or 不同意, one reply.
func (r *Router) cosignFlow() *Flow {
	sv := r.Core.Suggestions
	return &Flow{
		Name:  core.FlowCosign,
		Title: func(context.Context, *Session) string { return "附议邀请" },
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			return []Step{{Name: "answer", Kind: KindChoice, Prompt: "cosign.ask",
				Data: func(ctx context.Context, s *Session) any {
					title := ""
					if sg, err := sv.Get(ctx, s.Param("ref")); err == nil {
						title = sg.Title
					}
					return map[string]any{"Title": title}
				},
				Choices: []Choice{
					{Value: "yes", Label: "同意附议", Aliases: []string{"同意", "附议", "是", "好", "可以", "愿意"}},
					{Value: "no", Label: "不附议", Aliases: []string{"不同意", "不附议", "否", "拒绝", "谢绝", "不"}},
				}}}, nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			agree := s.Answers["answer"] == "yes"
			sg, err := sv.CosignAs(ctx, deputyOf(s), s.Param("ref"), agree)
			if msg := core.Message(err); msg != "" {
				return r.say("cosign.refused", map[string]any{"Problem": msg})
			}
			if err != nil {
				return "", err
			}
			return r.say("cosign.done", map[string]any{"Agree": agree, "Title": sg.Title})
		},
	}
}

// suggestPhoto takes a photo a deputy sends while writing a suggestion
// (conversation c): it is kept with the draft.
func (r *Router) suggestPhoto(ctx context.Context, openid string, c model.Conversation, mediaID string) (string, error) {
	d, err := r.Store.GetDeputyByOpenID(ctx, openid)
	if errors.Is(err, model.ErrNotFound) {
		return r.say("not_text", nil)
	}
	if err != nil {
		return "", err
	}
	if d.Status == model.StatusEnded {
		return r.ended(ctx, openid)
	}
	return r.suggestImage(ctx, d, c, mediaID)
}

// suggestImage keeps a photo with the suggestion being written: the
// answers so far are saved as a draft first when there is none yet (the
// title is needed), then the photo is fetched from WeChat and attached.
func (r *Router) suggestImage(ctx context.Context, d model.Deputy, c model.Conversation, mediaID string) (string, error) {
	sv := r.Core.Suggestions
	var reply string
	var failed error
	err := r.Engine.Update(ctx, d, c, func(s *Session) error {
		by := deputyOf(s)
		id, _ := strconv.ParseInt(s.Params["draft"], 10, 64)
		if id == 0 {
			if strings.TrimSpace(s.Answers["title"]) == "" {
				reply, failed = r.say("suggest.image_title_first", nil)
				return nil
			}
			in := core.SuggestionDraft{Title: s.Answers["title"], Content: s.Answers["content"],
				Category: s.Answers["category"], Cosigners: core.SplitDeputyNames(s.Answers["cosigners"])}
			sg, err := sv.SaveDraftAs(ctx, by, in)
			if problem := problemOf(err); problem != "" {
				reply, failed = r.say("suggest.image_refused", map[string]any{"Problem": problem})
				return nil
			}
			if err != nil {
				return err
			}
			id = sg.ID
			s.Params["draft"] = strconv.FormatInt(id, 10)
		}
		data, err := r.Media.FetchMedia(ctx, mediaID)
		if err != nil {
			r.Log.Warn("suggestion photo not fetched", "deputy", d.ID, "err", err)
			reply, failed = r.say("suggest.image_failed", nil)
			return nil
		}
		f, err := sv.AttachAs(ctx, by, id, "照片", bytes.NewReader(data))
		if problem := problemOf(err); problem != "" {
			reply, failed = r.say("suggest.image_refused", map[string]any{"Problem": problem})
			return nil
		}
		if err != nil {
			return err
		}
		sub, err := sv.SubmissionAs(ctx, by, id)
		if err != nil {
			return err
		}
		reply, failed = r.say("suggest.image_saved", map[string]any{"Name": f.Name, "Number": sub.Number, "Count": len(sub.Files)})
		return nil
	})
	if err == nil {
		err = failed
	}
	return reply, err
}
