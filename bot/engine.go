package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/obs"
	"deputybot/templates"
)

// Kind is what a step expects the deputy to type.
type Kind int

// Input kinds.
const (
	KindChoice      Kind = iota // one of Choices, by number or label
	KindYesNo                   // 是 / 否
	KindNumber                  // a whole number in [Min, Max]
	KindScale                   // 1 to 5
	KindText                    // one message of free text
	KindMultiText               // several messages until 完成
	KindDate                    // a date: 2026-12-01, 12月1日, 12/1
	KindMultiChoice             // several of Choices: "1 3" or "1、3"
)

// End is the Next of a step after which the flow finishes.
const End = "$end"

// multiTextQuiet closes a multi-message text that has been quiet this long.
const multiTextQuiet = 10 * time.Minute

// Choice is one answer a choice step accepts.
type Choice struct {
	Value   string
	Label   string
	Aliases []string // other words that mean this choice
}

// Step is one question of a flow, declared as data.
type Step struct {
	Name   string
	Kind   Kind
	Prompt string // template name in templates/
	// Label names the answer in 否 at a confirmation's "what to change"
	// list (沟通方式, 意见内容); a step without one is not offered.
	Label string
	// Data is what the prompt shows, read in the message's context.
	Data     func(ctx context.Context, s *Session) any
	Choices  []Choice
	Optional bool // 跳过 is accepted
	Min, Max int  // KindNumber bounds
	MaxLen   int  // KindText and KindMultiText, in characters; 0 = 2,000
	// Check validates a parsed value further; a non-empty hint re-asks.
	Check func(ctx context.Context, s *Session, value string) (hint string, err error)
	// Next names the following step from the value; nil means the next in
	// order, End (or no more steps) finishes the flow.
	Next func(s *Session, value string) string
}

// Flow is a conversation with a deputy, declared as data.
type Flow struct {
	Name  string
	Title func(ctx context.Context, s *Session) string // what the flow is about, for lists and 帮助
	// Steps returns the steps; dynamic flows (a survey) build them from Params.
	Steps func(ctx context.Context, s *Session) ([]Step, error)
	// Begin may refuse to start (a closed RSVP): a non-empty reply ends it.
	Begin func(ctx context.Context, s *Session) (refusal string, err error)
	// Finish saves the answers and returns the closing reply.
	Finish func(ctx context.Context, s *Session) (string, error)
	// QuickAnswer takes a reply to the flow's push that is no answer to its
	// first step but that the flow understands: the parameters it returns
	// start the flow (满意 to a rating request is the overall result).
	QuickAnswer func(word string) (params map[string]string, ok bool)
	// KeepOnCancel makes 取消 pause the flow (继续 resumes it) instead of
	// discarding the answers: for long flows such as surveys.
	KeepOnCancel bool
}

// Session is a flow in progress: who, where, and the answers so far.
type Session struct {
	OpenID  string
	Deputy  model.Deputy
	Flow    string
	Step    string
	Params  map[string]string
	Answers map[string]string
	History []string
	Misses  int
	LastAt  time.Time
	Now     time.Time
	// AskClosed is set by a Finish whose use case closed the pending ask
	// it answered, in its own transaction (core's RSVP): the engine then
	// does not close it again.
	AskClosed bool
	version   int64
}

// Param returns a flow parameter as a number.
func (s *Session) Param(name string) int64 {
	n, _ := strconv.ParseInt(s.Params[name], 10, 64)
	return n
}

type sessionData struct {
	Params  map[string]string `json:"p,omitempty"`
	Answers map[string]string `json:"a,omitempty"`
	History []string          `json:"h,omitempty"`
	LastAt  time.Time         `json:"t"`
}

// Engine runs flows: it keeps each deputy's state in the database, so a
// conversation survives a restart and any instance can take the next message.
type Engine struct {
	Store EngineStore
	Texts *templates.Set
	Log   *slog.Logger
	Flows map[string]*Flow
	Idle  time.Duration
	Clock Clock // the router's: the use cases' one clock
}

func (e *Engine) now() time.Time { return clockNow(e.Clock) }

func (e *Engine) idle() time.Duration {
	if e.Idle > 0 {
		return e.Idle
	}
	return 30 * time.Minute
}

// Register adds flows.
func (e *Engine) Register(fs ...*Flow) {
	if e.Flows == nil {
		e.Flows = map[string]*Flow{}
	}
	for _, f := range fs {
		e.Flows[f.Name] = f
	}
}

// Owns reports whether conversations of flow are run by the engine.
func (e *Engine) Owns(flow string) bool { _, ok := e.Flows[flow]; return ok }

func (e *Engine) say(name string, data any) string {
	s, err := e.Texts.Render(name, data)
	if err != nil {
		e.Log.Error("render text", "template", name, "err", err)
		return ""
	}
	return s
}

// maxAttempts bounds retries when two messages of one user race.
const maxAttempts = 5

// Start begins flow for the deputy; a non-empty input is tried as the
// answer to the first step (a reply to a push). intro, if not empty, is
// put before the first prompt when the input did not answer it.
func (e *Engine) Start(ctx context.Context, d model.Deputy, openid, flow string, params map[string]string, input, intro string) (string, error) {
	f, ok := e.Flows[flow]
	if !ok {
		return "", fmt.Errorf("bot: unknown flow %q", flow)
	}
	s := &Session{OpenID: openid, Deputy: d, Flow: flow, Params: params, Answers: map[string]string{}, Now: e.now(), LastAt: e.now()}
	if f.Begin != nil {
		refusal, err := f.Begin(ctx, s)
		if err != nil {
			return "", err
		}
		if refusal != "" {
			return refusal, e.closeAsk(ctx, s)
		}
	}
	steps, err := f.Steps(ctx, s)
	if err != nil {
		return "", err
	}
	if len(steps) == 0 {
		return f.Finish(ctx, s)
	}
	s.Step = steps[0].Name
	// Replace whatever conversation the user had (the caller decided).
	if old, err := e.Store.GetConversation(ctx, openid); err == nil {
		s.version = old.Version
	}
	if strings.TrimSpace(input) != "" {
		if _, hint := parseInput(steps[0], input, s.Now); hint == "" {
			return e.apply(ctx, f, s, steps, input)
		}
	}
	if err := e.save(ctx, s); err != nil {
		return "", err
	}
	prompt := e.prompt(ctx, s, steps[0])
	if intro != "" {
		prompt = intro + "\n\n" + prompt
	}
	return prompt, nil
}

// Resume makes a parked conversation active again and repeats its question.
func (e *Engine) Resume(ctx context.Context, d model.Deputy, c model.Conversation) (string, error) {
	f, ok := e.Flows[c.Flow]
	if !ok {
		return e.say("flow.nothing_parked", nil), nil
	}
	s := e.load(d, c)
	s.version = 0
	// The deputy is back: a text being written is open again, not left
	// quiet since it was parked.
	s.LastAt = s.Now
	if old, err := e.Store.GetConversation(ctx, c.OpenID); err == nil {
		s.version = old.Version
	}
	steps, err := f.Steps(ctx, s)
	if err != nil {
		return "", err
	}
	st := changePrompt(s, steps)
	if s.Step != changeStep {
		i, ok := findStep(steps, s.Step)
		if !ok {
			i, s.Step = 0, steps[0].Name
		}
		st = steps[i]
	}
	if err := e.save(ctx, s); err != nil {
		return "", err
	}
	return e.say("flow.resumed", map[string]any{"Title": e.title(ctx, f, s)}) + "\n" + e.prompt(ctx, s, st), nil
}

// Update lets fn change a stored conversation of the deputy outside its
// steps (a photo sent while writing a suggestion names the draft it went
// to) and saves it; the step and the answers stay unless fn changes them.
func (e *Engine) Update(ctx context.Context, d model.Deputy, c model.Conversation, fn func(*Session) error) error {
	if !e.Owns(c.Flow) {
		return fmt.Errorf("bot: unknown flow %q", c.Flow)
	}
	s := e.load(d, c)
	if err := fn(s); err != nil {
		return err
	}
	return e.save(ctx, s)
}

// Title names a stored conversation's subject, for the deputy.
func (e *Engine) Title(ctx context.Context, d model.Deputy, c model.Conversation) string {
	f, ok := e.Flows[c.Flow]
	if !ok {
		return c.Flow
	}
	return e.title(ctx, f, e.load(d, c))
}

// Continue takes the next message of an engine-run conversation.
func (e *Engine) Continue(ctx context.Context, d model.Deputy, c model.Conversation, text string) (string, error) {
	for attempt := 0; ; attempt++ {
		reply, err := e.continueOnce(ctx, d, c, text)
		if !errors.Is(err, model.ErrStale) || attempt == maxAttempts {
			return reply, err
		}
		// Another message of this user changed the conversation first:
		// apply this one to the new state.
		c, err = e.Store.GetConversation(ctx, c.OpenID)
		if errors.Is(err, model.ErrNotFound) {
			return "", errFlowGone
		}
		if err != nil {
			return "", err
		}
		if !e.Owns(c.Flow) {
			return "", errFlowGone
		}
	}
}

// errFlowGone tells the router that the flow ended under this message;
// it handles the message afresh.
var errFlowGone = errors.New("bot: the conversation ended meanwhile")

func (e *Engine) load(d model.Deputy, c model.Conversation) *Session {
	var data sessionData
	_ = json.Unmarshal([]byte(c.Data), &data)
	s := &Session{OpenID: c.OpenID, Deputy: d, Flow: c.Flow, Step: c.Step, Params: data.Params, Answers: data.Answers,
		History: data.History, Misses: c.Misses, LastAt: data.LastAt, Now: e.now(), version: c.Version}
	if s.Answers == nil {
		s.Answers = map[string]string{}
	}
	if s.Params == nil {
		s.Params = map[string]string{}
	}
	return s
}

func (e *Engine) continueOnce(ctx context.Context, d model.Deputy, c model.Conversation, text string) (string, error) {
	f := e.Flows[c.Flow]
	s := e.load(d, c)
	steps, err := f.Steps(ctx, s)
	if err != nil {
		return "", err
	}
	return e.apply(ctx, f, s, steps, text)
}

func findStep(steps []Step, name string) (int, bool) {
	for i, st := range steps {
		if st.Name == name {
			return i, true
		}
	}
	return 0, false
}

// changeStep is the pseudo-step after 否 at a confirmation: which answer
// to change, or give up.
const changeStep = "$change"

// redoParam marks a session changing one answer after 否: the steps
// answered before are passed over on the way back to the confirmation.
const redoParam = "$redo"

// discardValue is the "what to change" choice that gives up the flow.
const discardValue = "$discard"

// isConfirm tells whether st is a flow's closing confirmation.
func isConfirm(st Step) bool { return st.Kind == KindYesNo && st.Name == "confirm" }

// changeChoices lists the answers given so far that can be changed, then
// giving up.
func changeChoices(s *Session, steps []Step) []Choice {
	var out []Choice
	for _, name := range s.History {
		if j, ok := findStep(steps, name); ok && steps[j].Label != "" && !isConfirm(steps[j]) {
			out = append(out, Choice{Value: name, Label: steps[j].Label})
		}
	}
	return append(out, Choice{Value: discardValue, Label: "放弃，不提交", Aliases: []string{"放弃", "不提交", "不改了"}})
}

func changePrompt(s *Session, steps []Step) Step {
	return Step{Name: changeStep, Kind: KindChoice, Prompt: "flow.change_what", Choices: changeChoices(s, steps)}
}

// change takes the answer to "what to change": the step named is asked
// again (its old answer dropped), the confirmation follows it.
func (e *Engine) change(ctx context.Context, f *Flow, s *Session, steps []Step, text string) (string, error) {
	st := changePrompt(s, steps)
	switch normalizeWord(text) {
	case "返回":
		// Back to the confirmation.
		j, ok := findConfirm(steps)
		if !ok {
			break
		}
		s.Step = steps[j].Name
		if err := e.save(ctx, s); err != nil {
			return "", err
		}
		return e.prompt(ctx, s, steps[j]), nil
	case "帮助":
		return e.say("flow.help", map[string]any{"Title": e.title(ctx, f, s)}) + "\n\n" + e.prompt(ctx, s, st), e.touch(ctx, s)
	}
	value, hint := parseInput(st, text, s.Now)
	if hint != "" {
		return e.miss(ctx, s, st, e.say(hint, map[string]any{"Numbers": numberList(len(st.Choices))}))
	}
	if value == discardValue {
		s.Answers["confirm"] = "no"
		return e.finish(ctx, f, s)
	}
	for k, name := range s.History {
		if name == value {
			s.History = s.History[:k]
			break
		}
	}
	delete(s.Answers, value)
	if s.Params == nil {
		s.Params = map[string]string{}
	}
	s.Params[redoParam] = "1"
	s.Step, s.Misses = value, 0
	if err := e.save(ctx, s); err != nil {
		return "", err
	}
	j, _ := findStep(steps, value)
	return e.prompt(ctx, s, steps[j]), nil
}

func findConfirm(steps []Step) (int, bool) {
	for i, st := range steps {
		if isConfirm(st) {
			return i, true
		}
	}
	return 0, false
}

// Accepts reports whether text answers the current step of c as a choice,
// a date or a number would: a free-text step takes any text, so it
// "accepts" none here, and a command typed there is the command.
func (e *Engine) Accepts(ctx context.Context, d model.Deputy, c model.Conversation, text string) (bool, error) {
	f, ok := e.Flows[c.Flow]
	if !ok {
		return false, nil
	}
	s := e.load(d, c)
	steps, err := f.Steps(ctx, s)
	if err != nil {
		return false, err
	}
	if s.Step == changeStep {
		_, hint := parseInput(changePrompt(s, steps), text, s.Now)
		return hint == "", nil
	}
	i, ok := findStep(steps, s.Step)
	if !ok || steps[i].Kind == KindText || steps[i].Kind == KindMultiText {
		return false, nil
	}
	_, hint := parseInput(steps[i], text, s.Now)
	return hint == "", nil
}

// InFreeText reports whether the current step of c takes free text (a
// multi-message text step, or a text step with no further check), where
// a command word cannot be an answer.
func (e *Engine) InFreeText(ctx context.Context, d model.Deputy, c model.Conversation) (bool, error) {
	f, ok := e.Flows[c.Flow]
	if !ok {
		return false, nil
	}
	s := e.load(d, c)
	if s.Step == changeStep {
		return false, nil
	}
	steps, err := f.Steps(ctx, s)
	if err != nil {
		return false, err
	}
	i, ok := findStep(steps, s.Step)
	return ok && (steps[i].Kind == KindText && steps[i].Check == nil || steps[i].Kind == KindMultiText), nil
}

// apply takes one message in the current step and saves the result.
func (e *Engine) apply(ctx context.Context, f *Flow, s *Session, steps []Step, text string) (string, error) {
	if s.Step == changeStep {
		if w := normalizeWord(text); w != "取消" && w != "退出" {
			return e.change(ctx, f, s, steps, text)
		}
		// 取消 while choosing what to change: as at the confirmation.
		if j, ok := findConfirm(steps); ok {
			s.Step = steps[j].Name
		}
	}
	i, ok := findStep(steps, s.Step)
	if !ok {
		// The flow changed under a stored conversation: start it over.
		i, s.Step, s.History, s.Answers = 0, steps[0].Name, nil, map[string]string{}
	}
	st := steps[i]
	word := normalizeWord(text)
	switch word {
	case "取消", "退出":
		if f.KeepOnCancel && s.version > 0 {
			if err := e.save(ctx, s); err != nil {
				return "", err
			}
			c, err := e.Store.GetConversation(ctx, s.OpenID)
			if err != nil {
				return "", err
			}
			if err := e.Store.ParkConversation(ctx, c); err != nil {
				return "", err
			}
			return e.say("flow.paused", map[string]any{"Title": e.title(ctx, f, s)}), nil
		}
		if _, err := e.Store.DeleteConversationVersion(ctx, s.OpenID, s.version); err != nil {
			return "", err
		}
		return e.say("flow.cancelled", map[string]any{"Title": e.title(ctx, f, s)}), nil
	case "帮助":
		return e.say("flow.help", map[string]any{"Title": e.title(ctx, f, s)}) + "\n\n" + e.prompt(ctx, s, st), e.touch(ctx, s)
	case "返回":
		if len(s.History) == 0 {
			return e.say("flow.first_step", nil) + "\n\n" + e.prompt(ctx, s, st), e.touch(ctx, s)
		}
		// What was typed in the step left is dropped with the answer of
		// the step returned to: a text typed again is not appended to it.
		delete(s.Answers, st.Name)
		s.Step = s.History[len(s.History)-1]
		s.History = s.History[:len(s.History)-1]
		delete(s.Answers, s.Step)
		s.Misses = 0
		if err := e.save(ctx, s); err != nil {
			return "", err
		}
		j, _ := findStep(steps, s.Step)
		return e.prompt(ctx, s, steps[j]), nil
	case "跳过":
		if st.Optional {
			return e.advance(ctx, f, s, steps, i, "")
		}
	}
	if st.Kind == KindMultiText {
		return e.multiText(ctx, f, s, steps, i, text, word)
	}
	value, hint := parseInput(st, text, s.Now)
	if hint != "" {
		hint = e.say(hint, map[string]any{"Numbers": numberList(len(st.Choices)), "Min": st.Min, "Max": st.Max, "MaxLen": maxLen(st)})
	}
	if hint == "" && st.Check != nil {
		h, err := st.Check(ctx, s, value)
		if err != nil {
			return "", err
		}
		hint = h
	}
	if hint != "" {
		return e.miss(ctx, s, st, hint)
	}
	if isConfirm(st) && value == "no" {
		// 否 asks what to change rather than throwing every answer away.
		s.Step, s.Misses = changeStep, 0
		if err := e.save(ctx, s); err != nil {
			return "", err
		}
		return e.prompt(ctx, s, changePrompt(s, steps)), nil
	}
	return e.advance(ctx, f, s, steps, i, value)
}

// miss re-asks the step with a hint; after three misses it offers 取消.
func (e *Engine) miss(ctx context.Context, s *Session, st Step, hint string) (string, error) {
	s.Misses++
	if err := e.save(ctx, s); err != nil {
		return "", err
	}
	reply := hint
	if s.Misses >= 3 {
		reply += "\n" + e.say("flow.offer_cancel", nil)
	}
	return reply + "\n\n" + e.prompt(ctx, s, st), nil
}

func (e *Engine) multiText(ctx context.Context, f *Flow, s *Session, steps []Step, i int, text, word string) (string, error) {
	st := steps[i]
	buf := s.Answers[st.Name]
	if buf != "" && s.Now.Sub(s.LastAt) > multiTextQuiet {
		// A text left quiet for ten minutes is complete; this message
		// answers the next step.
		reply, err := e.advance(ctx, f, s, steps, i, buf)
		if err != nil || s.Step == st.Name {
			return reply, err
		}
		return e.apply(ctx, f, s, steps, text)
	}
	if word == "完成" || word == "好了" || word == "结束" {
		if buf == "" {
			return e.miss(ctx, s, st, e.say("flow.text_empty", nil))
		}
		return e.advance(ctx, f, s, steps, i, buf)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return e.miss(ctx, s, st, e.say("flow.text_empty", nil))
	}
	if buf != "" {
		buf += "\n"
	}
	buf += text
	limit := maxLen(st)
	if n := utf8.RuneCountInString(buf); n > limit {
		return e.miss(ctx, s, st, e.say("flow.text_too_long", map[string]any{"Max": limit, "Len": n}))
	}
	s.Answers[st.Name] = buf
	s.LastAt = s.Now
	if err := e.save(ctx, s); err != nil {
		return "", err
	}
	return e.say("flow.text_more", map[string]any{"Len": utf8.RuneCountInString(buf)}), nil
}

// advance records value for step i and moves on, finishing the flow after
// its last step.
func (e *Engine) advance(ctx context.Context, f *Flow, s *Session, steps []Step, i int, value string) (string, error) {
	st := steps[i]
	obs.ConversationStep(f.Name)
	s.Answers[st.Name] = value
	s.History = append(s.History, st.Name)
	s.Misses = 0
	s.LastAt = s.Now
	next := ""
	if st.Next != nil {
		next = st.Next(s, value)
	}
	if next == "" && i+1 < len(steps) {
		next = steps[i+1].Name
	}
	// Changing one answer after 否: pass over the steps still answered on
	// the way back to the confirmation.
	for s.Params[redoParam] != "" && next != "" && next != End {
		j, ok := findStep(steps, next)
		if !ok {
			break
		}
		v, answered := s.Answers[next]
		if isConfirm(steps[j]) {
			delete(s.Params, redoParam)
			break
		}
		if !answered {
			break
		}
		s.History = append(s.History, next)
		next = ""
		if steps[j].Next != nil {
			next = steps[j].Next(s, v)
		}
		if next == "" && j+1 < len(steps) {
			next = steps[j+1].Name
		}
	}
	if next == "" || next == End {
		return e.finish(ctx, f, s)
	}
	j, ok := findStep(steps, next)
	if !ok {
		return "", fmt.Errorf("bot: flow %s: step %s leads to unknown step %s", f.Name, st.Name, next)
	}
	s.Step = next
	if err := e.save(ctx, s); err != nil {
		return "", err
	}
	return e.prompt(ctx, s, steps[j]), nil
}

// finish ends the conversation first, so that of two racing messages only
// one saves the answers, then runs the flow's Finish.
func (e *Engine) finish(ctx context.Context, f *Flow, s *Session) (string, error) {
	if s.version > 0 {
		ok, err := e.Store.DeleteConversationVersion(ctx, s.OpenID, s.version)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", model.ErrStale
		}
	}
	reply, err := f.Finish(ctx, s)
	if err == nil && !s.AskClosed {
		err = e.closeAsk(ctx, s)
	}
	if err != nil {
		// Keep the answers so the deputy can try again.
		s.version = 0
		if serr := e.save(ctx, s); serr != nil {
			e.Log.Error("restore conversation after a failed save", "flow", f.Name, "err", serr)
		}
		e.Log.Error("flow finish failed", "flow", f.Name, "err", err)
		return e.say("flow.save_failed", nil), nil
	}
	return reply, nil
}

// closeAsk marks the pending ask this flow answered ("ref" parameter) done.
func (e *Engine) closeAsk(ctx context.Context, s *Session) error {
	if ref := s.Param("ref"); ref > 0 && s.Deputy.ID > 0 {
		return e.Store.CloseAsk(ctx, s.Deputy.ID, s.Flow, ref)
	}
	return nil
}

func (e *Engine) touch(ctx context.Context, s *Session) error { return e.save(ctx, s) }

func (e *Engine) save(ctx context.Context, s *Session) error {
	data, _ := json.Marshal(sessionData{Params: s.Params, Answers: s.Answers, History: s.History, LastAt: s.LastAt})
	c := model.Conversation{OpenID: s.OpenID, Flow: s.Flow, Step: s.Step, Data: string(data), Misses: s.Misses,
		Version: s.version, ExpiresAt: s.Now.Add(e.idle())}
	if err := e.Store.SaveConversation(ctx, &c); err != nil {
		return err
	}
	s.version = c.Version
	return nil
}

func (e *Engine) title(ctx context.Context, f *Flow, s *Session) string {
	if f.Title == nil {
		return f.Name
	}
	return f.Title(ctx, s)
}

// prompt renders a step's question with its choices listed.
func (e *Engine) prompt(ctx context.Context, s *Session, st Step) string {
	var data any
	if st.Data != nil {
		data = st.Data(ctx, s)
	}
	var b strings.Builder
	b.WriteString(e.say(st.Prompt, data))
	switch st.Kind {
	case KindChoice, KindMultiChoice:
		for i, c := range st.Choices {
			fmt.Fprintf(&b, "\n%d. %s", i+1, c.Label)
		}
		if st.Kind == KindMultiChoice {
			b.WriteString("\n" + e.say("flow.multi_hint", nil))
		} else {
			b.WriteString("\n" + e.say("flow.choice_hint", map[string]any{"Numbers": numberList(len(st.Choices))}))
		}
	case KindYesNo:
		b.WriteString("\n" + e.say("flow.yesno_hint", nil))
	case KindScale:
		b.WriteString("\n" + e.say("flow.scale_hint", nil))
	case KindMultiText:
		b.WriteString("\n" + e.say("flow.multitext_hint", nil))
	}
	if st.Optional {
		b.WriteString("\n" + e.say("flow.skip_hint", nil))
	}
	return b.String()
}

// numberList renders "1、2 或 3".
func numberList(n int) string {
	if n <= 1 {
		return "1"
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strconv.Itoa(i + 1)
	}
	return strings.Join(parts[:n-1], "、") + " 或 " + parts[n-1]
}

func maxLen(st Step) int {
	if st.MaxLen > 0 {
		return st.MaxLen
	}
	return 2000
}
