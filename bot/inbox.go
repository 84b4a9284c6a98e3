package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"deputybot/core"
	"deputybot/model"
)

// The inbox (留言): whatever a follower writes that no conversation or
// command takes is stored as a message staff answer, and the reply says
// so with its receipt number. Nothing is answered "收到" that was not
// stored.

// messageWord asks how to leave a message; "留言 <text>" leaves one.
const messageWord = "留言"

// mineWords list the follower's own latest messages and their answers.
var mineWords = map[string]bool{"我的留言": true, "留言记录": true, "查看留言": true}

// mineCount is how many messages 我的留言 lists.
const mineCount = 5

// answerMaxRunes is how long a text may be and still be taken as a
// fumbled answer to a pending ask (the flow then asks again): a longer
// text that does not answer it is a message of its own.
const answerMaxRunes = 10

// deputyOnlyWords are the commands of bound deputies: a follower who is
// not one is told to bind rather than leave them as messages.
var deputyOnlyWords = map[string]bool{
	"我的会议": true, "会议活动": true, "会议": true, "我的活动": true, "我的建议": true, "建议": true, "建议办理": true,
	"意见": true, "意见反馈": true, "意见建议": true, "提意见": true, "反映意见": true, "法规草案": true, "征求意见": true,
	"问卷": true, "调查问卷": true, "填问卷": true, "我的履职": true, "履职档案": true, "履职情况": true, "履职登记": true,
	"登记履职": true, "学习": true, "学习材料": true, "继续": true, "联系登记": true, "我的联系": true,
}

// smallTalk are greetings and thanks: answered politely, not stored as
// messages nobody needs to answer.
var smallTalk = map[string]bool{
	"你好": true, "您好": true, "在吗": true, "在不在": true, "hi": true, "Hi": true, "hello": true, "Hello": true,
	"嗨": true, "哈喽": true, "早上好": true, "上午好": true, "下午好": true, "晚上好": true,
	"谢谢": true, "谢谢你": true, "谢谢您": true, "感谢": true, "多谢": true, "好的": true, "好": true, "收到": true,
	"ok": true, "OK": true, "嗯": true, "嗯嗯": true,
}

// opinionWords start an opinion; followed by text in one message they
// start it with the text filled in (see commandWithText).
var opinionWords = map[string]bool{"意见": true, "意见反馈": true, "意见建议": true, "提意见": true, "反映意见": true}

// spokenKey marks a context whose text is a voice message's recognition.
type spokenKey struct{}

// spokenMessage marks ctx: its text was spoken (a voice message WeChat
// recognised), so a message it leaves is of kind voice.
func spokenMessage(ctx context.Context) context.Context {
	return context.WithValue(ctx, spokenKey{}, true)
}

// messageKind is the kind of message the text handled under ctx leaves.
func messageKind(ctx context.Context) string {
	if spoken, _ := ctx.Value(spokenKey{}).(bool); spoken {
		return model.MessageVoice
	}
	return model.MessageText
}

// splitCommand splits "意见 建议增加……" (or 意见：…, 意见，…) into the
// command word and the text after it; ok is false when text is not a
// word followed by a separator and more text.
func splitCommand(text string) (word, rest string, ok bool) {
	text = strings.TrimSpace(text)
	i := strings.IndexFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(":：,，", r)
	})
	if i <= 0 {
		return "", "", false
	}
	word = normalizeWord(text[:i])
	rest = strings.TrimLeftFunc(text[i:], func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(":：,，", r)
	})
	return word, rest, rest != ""
}

// commandWithText starts the flow a command names with the text after it
// filled in, asking only to confirm: "意见 建议增加农村公交班次" is an
// opinion (category 其他) awaiting 是. ok is false when text is no such
// command.
func (r *Router) commandWithText(ctx context.Context, d model.Deputy, openid, text string) (string, bool, error) {
	word, rest, ok := splitCommand(text)
	if !ok || !opinionWords[word] || r.Engine == nil || !r.Engine.Owns(FlowOpinion) {
		return "", false, nil
	}
	if n := utf8.RuneCountInString(rest); n > core.MaxOpinionRunes {
		reply, err := r.say("flow.text_too_long", map[string]any{"Max": core.MaxOpinionRunes, "Len": n})
		return reply, true, err
	}
	reply, err := r.Engine.startFilled(ctx, d, openid, FlowOpinion, nil,
		map[string]string{"category": model.OpinionOther, "body": strings.TrimSpace(rest)})
	return reply, true, err
}

// deputyText answers a bound deputy's text that is no command: "留言" and
// "留言 <text>"; an answer to the latest pending ask it answers (see
// answerAsks); otherwise a message.
func (r *Router) deputyText(ctx context.Context, d model.Deputy, openid, word, text string) (string, error) {
	by := core.DeputyActor(d, core.ViaWeChat)
	if word == messageWord {
		return r.say("inbox.how", map[string]any{"Max": core.MaxMessageRunes})
	}
	if mineWords[word] {
		return r.myMessages(ctx, by)
	}
	if w, rest, ok := splitCommand(text); ok && w == messageWord {
		return r.leaveMessage(ctx, by, messageKind(ctx), rest, nil)
	}
	asks, err := r.Store.OpenAsks(ctx, d.ID)
	if err != nil {
		return "", err
	}
	if reply, ok, err := r.answerAsks(ctx, d, openid, text, asks); ok || err != nil {
		return reply, err
	}
	if smallTalk[word] {
		return r.say("inbox.small_talk", map[string]any{"Name": d.Name})
	}
	return r.leaveMessage(ctx, by, messageKind(ctx), text, asks)
}

// publicText answers the text of a follower who is not a bound deputy (nor
// a committee member): a deputy's command is told to bind; anything else
// is a message.
func (r *Router) publicText(ctx context.Context, openid, word, text string) (string, error) {
	switch {
	case deputyOnlyWords[word] || suggestWords[word]:
		return r.say("unbound", nil)
	case smallTalk[word]:
		return r.say("inbox.public_small_talk", nil)
	case word == messageWord:
		return r.say("inbox.how", map[string]any{"Max": core.MaxMessageRunes})
	case mineWords[word]:
		return r.myMessages(ctx, core.PublicActor(openid, core.ViaWeChat))
	}
	if w, rest, ok := splitCommand(text); ok && w == messageWord {
		text = rest
	}
	return r.leaveMessage(ctx, core.PublicActor(openid, core.ViaWeChat), messageKind(ctx), text, nil)
}

// leaveMessage stores text as by's message and answers with its receipt,
// reminding a deputy of the asks still open; a refusal (too long, the
// day's limit …) says why, and nothing is stored.
func (r *Router) leaveMessage(ctx context.Context, by core.Actor, kind, text string, asks []model.PendingAsk) (string, error) {
	in := core.MessageInput{Kind: kind, Text: text}
	if id := voiceMedia(ctx); id != "" && kind == model.MessageVoice && r.Media != nil {
		// A voice message keeps its audio with its recognition.
		m, ok := r.fetch(ctx, voiceName, id)
		if !ok {
			return r.say("inbox.media_failed", map[string]any{"What": voiceName})
		}
		in.Media = &m
	}
	return r.recordMessage(ctx, by, in, asks)
}

// recordMessage stores in as by's message and answers with its receipt
// (see leaveMessage).
func (r *Router) recordMessage(ctx context.Context, by core.Actor, in core.MessageInput, asks []model.PendingAsk) (string, error) {
	m, err := r.Core.Messages.Record(ctx, by, in)
	if problem, ok := messageRefusal(err); ok {
		r.Log.Info("message refused", "sender", senderOf(by), "reason", problemCode(err))
		return r.say("inbox.refused", map[string]any{"Problem": problem})
	}
	if err != nil {
		return "", err
	}
	// The receipt, never the text: no message text in a log line.
	r.Log.Info("message recorded", "receipt", m.Receipt, "sender", m.Sender(), "kind", m.Kind)
	titles := make([]string, 0, len(asks))
	for _, a := range asks {
		titles = append(titles, a.Title)
	}
	what := ""
	if in.Media != nil {
		what = model.MessageKindLabel(m.Kind)
	}
	return r.say("inbox.received", map[string]any{"Receipt": m.Receipt, "Name": by.Deputy.Name, "Asks": titles, "What": what})
}

// myMessages lists the follower's latest messages, each with its status
// and latest answer.
func (r *Router) myMessages(ctx context.Context, by core.Actor) (string, error) {
	ts, err := r.Core.Messages.Mine(ctx, by, mineCount)
	if err != nil {
		return "", err
	}
	if len(ts) == 0 {
		return r.say("inbox.mine_none", nil)
	}
	type item struct{ Receipt, Status, Date, Text, Reply string }
	items := make([]item, len(ts))
	for i, t := range ts {
		m := t.Message
		items[i] = item{Receipt: m.Receipt, Status: m.StatusLabel(), Date: m.CreatedAt.In(r.Core.Location()).Format("1月2日"),
			Text: excerpt(m.Body, 30)}
		if n := len(t.Replies); n > 0 {
			items[i].Reply = excerpt(t.Replies[n-1].Body, 80)
		}
	}
	return r.say("inbox.mine", map[string]any{"Items": items})
}

// excerpt is the first n characters of s on one line, with …… when cut.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "……"
	}
	return s
}

// messageRefusal is the Chinese reason core refused a message for.
func messageRefusal(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	if fs, ok := core.Fields(err); ok {
		parts := make([]string, len(fs))
		for i, f := range fs {
			parts[i] = f.Label + f.Msg
		}
		return strings.Join(parts, "；"), true
	}
	if msg := core.Message(err); msg != "" {
		return msg, true
	}
	return "", false
}

// problemCode names a refusal for the log, without its text.
func problemCode(err error) string {
	switch {
	case errors.Is(err, model.ErrConflict):
		return "daily_limit"
	case errors.Is(err, model.ErrForbidden):
		return "forbidden"
	}
	if fs, ok := core.Fields(err); ok && len(fs) > 0 {
		return "invalid_" + fs[0].Key
	}
	return "refused"
}

func senderOf(by core.Actor) string {
	if by.Deputy.ID != 0 {
		return model.SenderDeputy
	}
	return model.SenderPublic
}

// answersFirstStep reports whether input answers the first step of flow
// for the deputy, as Start would take it, without starting anything. A
// flow that would refuse to begin (a closed RSVP) takes any input: its
// refusal is the answer.
func (e *Engine) answersFirstStep(ctx context.Context, d model.Deputy, openid, flow string, params map[string]string, input string) (bool, error) {
	f, ok := e.Flows[flow]
	if !ok {
		return false, nil
	}
	s := &Session{OpenID: openid, Deputy: d, Flow: flow, Params: params, Answers: map[string]string{}, Now: e.now(), LastAt: e.now()}
	if f.Begin != nil {
		refusal, err := f.Begin(ctx, s)
		if err != nil || refusal != "" {
			return refusal != "", err
		}
	}
	if f.QuickAnswer != nil {
		if _, ok := f.QuickAnswer(normalizeWord(input)); ok {
			return true, nil
		}
	}
	steps, err := f.Steps(ctx, s)
	if err != nil || len(steps) == 0 {
		return len(steps) == 0, err
	}
	if steps[0].Kind == KindText || steps[0].Kind == KindMultiText {
		// Free text answers such a step, but is as likely a message: only
		// a short one is taken.
		return false, nil
	}
	_, hint := parseInput(steps[0], input, s.Now)
	return hint == "", nil
}

// startFilled begins flow with answers already given (keyed by step
// name): the steps they answer are passed over as if answered, and the
// deputy is asked the first one left (the confirmation of an opinion
// typed with its command). With every step answered the flow finishes.
func (e *Engine) startFilled(ctx context.Context, d model.Deputy, openid, flow string, params, answers map[string]string) (string, error) {
	f, ok := e.Flows[flow]
	if !ok {
		return "", fmt.Errorf("bot: unknown flow %q", flow)
	}
	s := &Session{OpenID: openid, Deputy: d, Flow: flow, Params: params, Answers: map[string]string{}, Now: e.now(), LastAt: e.now()}
	if s.Params == nil {
		s.Params = map[string]string{}
	}
	for k, v := range answers {
		s.Answers[k] = v
	}
	if f.Begin != nil {
		refusal, err := f.Begin(ctx, s)
		if err != nil || refusal != "" {
			return refusal, err
		}
	}
	steps, err := f.Steps(ctx, s)
	if err != nil {
		return "", err
	}
	if old, err := e.Store.GetConversation(ctx, openid); err == nil {
		s.version = old.Version
	}
	for i := 0; i < len(steps); {
		st := steps[i]
		v, answered := s.Answers[st.Name]
		if !answered {
			s.Step = st.Name
			if err := e.save(ctx, s); err != nil {
				return "", err
			}
			return e.prompt(ctx, s, st), nil
		}
		s.History = append(s.History, st.Name)
		next := ""
		if st.Next != nil {
			next = st.Next(s, v)
		}
		if next == "" && i+1 < len(steps) {
			next = steps[i+1].Name
		}
		if next == "" || next == End {
			break
		}
		j, ok := findStep(steps, next)
		if !ok {
			return "", fmt.Errorf("bot: flow %s: step %s leads to unknown step %s", f.Name, st.Name, next)
		}
		i = j
	}
	return e.finish(ctx, f, s)
}
