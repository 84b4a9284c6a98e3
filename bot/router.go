package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"

	"deputybot/core"
	"deputybot/model"
	"deputybot/obs"
	"deputybot/templates"
)

// Menu keys the account's CLICK buttons send.
const (
	KeyBind          = "BIND"
	KeyHelp          = "HELP"
	KeyMaterials     = "MATERIALS"
	KeyMeetings      = "MEETINGS"
	KeyMySuggestions = "MY_SUGGESTIONS"
	KeyFeedback      = "FEEDBACK"
	KeySuggest       = "SUGGEST"
	KeyBindHelp      = "BIND_HELP" // binds an unbound user, helps a bound one
)

// Router answers deputies' messages and records WeChat's events.
type Router struct {
	// Core holds the use cases flows call, with the deputy as the actor,
	// and the one clock and time zone: the services every surface shares.
	Core *core.Services
	// Store keeps the chat's own records: conversations, asks, followers,
	// delivery reports.
	Store Store
	Texts *templates.Set
	Log   *slog.Logger
	// Loc is Core's time zone, for the flows that read it.
	Loc         *time.Location
	IdleTimeout time.Duration // an idle conversation ends after this
	Engine      *Engine       // runs every flow but binding

	// PagesURL is the service's public address: chat answers link to the
	// H5 pages under it. Empty: no links.
	PagesURL string
	// Media downloads what a user sends as an image (WeChat's temporary
	// media); nil: images are not taken.
	Media MediaFetcher

	touched sync.Map // openid -> when this instance last recorded a message
	helps   sync.Map // helpKey -> renderedHelp
	reports batcher[model.TemplateStatus, struct{}]
	states  batcher[string, model.ChatState] // the quick path's reads: help
	// read-only commands: the deputy and the command's lists, read
	// together for the messages of a batch
	reads batcher[core.ListRequest, core.ChatLists]
}

// MediaFetcher downloads temporary media by its MediaId (*Client does).
type MediaFetcher interface {
	FetchMedia(ctx context.Context, mediaID string) ([]byte, error)
}

// NewRouter returns a router with the engine and every deputy flow: svc
// are the use cases (built once, by cli in a server), db keeps the chat's
// records (see Store; cli passes *storage.DB).
func NewRouter(svc *core.Services, db Store, texts *templates.Set, log *slog.Logger, idle time.Duration) *Router {
	r := &Router{Core: svc, Store: db, Texts: texts, Log: log, Loc: svc.Location(), IdleTimeout: idle}
	r.Engine = &Engine{Store: db, Texts: texts, Log: log, Idle: idle, Clock: svc}
	r.registerFlows()
	return r
}

func (r *Router) now() time.Time { return r.Core.Now() }

// maxStateBatch bounds the quick path's reads answered by one query.
const maxStateBatch = 256

// maxReportBatch bounds one batch of template reports (one UPDATE's IN list).
const maxReportBatch = 500

// absorbReports writes a batch of TEMPLATESENDJOBFINISH reports: a
// campaign's status storm costs one UPDATE per batch.
func (r *Router) absorbReports(ctx context.Context, reports []model.TemplateStatus) ([]struct{}, error) {
	return nil, r.Store.AbsorbTemplateReports(ctx, reports)
}

// touchEvery bounds how often one instance records a user's last message:
// the 48-hour window loses at most this much, and a chatting deputy costs
// one write less per message.
const touchEvery = time.Minute

// touch records that openid wrote to the account, at most once a minute
// per instance.
func (r *Router) touch(ctx context.Context, openid string) error {
	now := r.now()
	if v, ok := r.touched.Load(openid); ok && now.Sub(v.(time.Time)) < touchEvery {
		return nil
	}
	if err := r.Store.TouchFollower(ctx, openid); err != nil {
		return err
	}
	r.touched.Store(openid, now)
	return nil
}

// Quick implements QuickHandler: template reports are absorbed (written in
// batches, no dedupe record: repeating one changes nothing); a help word
// outside any conversation or a message that is not text is answered from
// one read, and a command that only reads (我的会议, 我的建议, 学习) outside
// any conversation from its reads.
func (r *Router) Quick(ctx context.Context, in Inbound) (string, Path, error) {
	ctx = core.ForOneMessage(ctx)
	if in.MsgType == "event" {
		if in.Event == "TEMPLATESENDJOBFINISH" {
			_, err := r.reports.do(ctx, model.TemplateStatus{MsgID: in.EventMsgID, OpenID: in.FromUserName, Status: in.Status},
				maxReportBatch, r.absorbReports)
			return "", Absorbed, err
		}
		return "", FullPath, nil
	}
	openid := in.FromUserName
	if in.MsgType != "text" && (in.MsgType != "voice" || in.Recognition == "") && in.MsgType != "image" {
		if err := r.touch(ctx, openid); err != nil {
			return "", FullPath, err
		}
		text, err := r.say("not_text", nil)
		return text, Answered, err
	}
	text := in.Content
	if in.MsgType == "voice" {
		text = in.Recognition
	}
	word := normalizeWord(text)
	help := isHelpWord(word)
	if !help && listKinds[word] == 0 {
		return "", FullPath, nil
	}
	if help {
		st, err := r.states.do(ctx, openid, maxStateBatch, r.Store.GetChatStates)
		if err != nil || st.InConversation || st.DeputyName == "" {
			// A flow under way may read the word as its own; someone who is
			// not a bound deputy may be a committee member with their own help.
			return "", FullPath, err
		}
		if err := r.touch(ctx, openid); err != nil {
			return "", FullPath, err
		}
		text, err = r.helpText(st)
		return text, Answered, err
	}
	// A command that only reads, outside any conversation: the same
	// answer command gives, without a claim held while it is read. The
	// deputy, whether a flow is under way and the list are read at once,
	// with the callbacks arriving meanwhile.
	kind := listKinds[word]
	now := r.now()
	got, err := r.reads.do(ctx, core.ListRequest{OpenID: openid, Kind: kind, At: now}, maxStateBatch, r.readQuick)
	if err != nil || got.DeputyID == 0 {
		return "", FullPath, err
	}
	if err := r.touch(ctx, openid); err != nil {
		return "", FullPath, err
	}
	switch kind {
	case core.ListStudy:
		text, err = r.studyList("", got.Materials, r.courseLines(got.Courses))
	case core.ListSuggestions:
		text, err = r.suggestionList(got.Suggestions.List, got.Suggestions.Drafts)
	default:
		text, err = r.meetingList(got.Meetings, now)
	}
	return text, Answered, err
}

// readQuick reads the read-only commands of concurrent messages in one
// batch.
func (r *Router) readQuick(ctx context.Context, reqs []core.ListRequest) ([]core.ChatLists, error) {
	return r.Core.Chat.Lists(ctx, reqs, latestStudy)
}

// listKinds are the deputy's commands whose answer only reads (their
// lists): outside a conversation the quick path answers them. Each is
// answered by deputyCommand the same way on the full path.
var listKinds = map[string]core.ListKind{
	"我的会议": core.ListMeetings, "会议活动": core.ListMeetings, "会议": core.ListMeetings, "我的活动": core.ListMeetings,
	"我的建议": core.ListSuggestions, "建议": core.ListSuggestions, "建议办理": core.ListSuggestions,
	"学习": core.ListStudy, "学习材料": core.ListStudy,
}

func (r *Router) readOnlyCommand(ctx context.Context, d model.Deputy, word string) (string, error) {
	reply, ok, err := r.deputyCommand(ctx, d, d.OpenID, word)
	if err == nil && !ok {
		err = fmt.Errorf("bot: %q is no read-only command", word)
	}
	return reply, err
}

// Handle implements Handler.
func (r *Router) Handle(ctx context.Context, in Inbound) (string, error) {
	ctx = core.ForOneMessage(ctx)
	openid := in.FromUserName
	if in.MsgType == "event" {
		return r.event(ctx, in)
	}
	if err := r.touch(ctx, openid); err != nil {
		return "", err
	}
	text := in.Content
	if in.MsgType == "voice" && in.Recognition != "" {
		text = in.Recognition
		ctx = spokenMessage(ctx)
		if in.MediaID != "" {
			ctx = withVoiceMedia(ctx, in.MediaID)
		}
	} else if in.MsgType == "image" {
		return r.image(ctx, openid, in.MediaID)
	} else if in.MsgType != "text" {
		return r.say("not_text", nil)
	}
	return r.text(ctx, openid, text)
}

func (r *Router) event(ctx context.Context, in Inbound) (string, error) {
	openid := in.FromUserName
	switch in.Event {
	case "subscribe":
		if err := r.Store.RecordFollow(ctx, openid, true); err != nil {
			return "", err
		}
		name := ""
		if st, err := r.Store.GetChatState(ctx, openid); err == nil {
			name = st.DeputyName
		}
		return r.say("welcome", map[string]any{"Name": name})
	case "unsubscribe":
		if err := r.Store.RecordFollow(ctx, openid, false); err != nil {
			return "", err
		}
		return "", r.Store.DeleteConversation(ctx, openid)
	case "TEMPLATESENDJOBFINISH":
		// One UPDATE when the send is recorded; kept for the outbox when the
		// report overtook the recording of its send.
		return "", r.Store.AbsorbTemplateReport(ctx, in.EventMsgID, openid, in.Status)
	case "CLICK":
		// A click does not open the 48-hour window as a message does.
		return r.click(ctx, openid, in.EventKey)
	}
	return "", nil
}

func (r *Router) click(ctx context.Context, openid, key string) (string, error) {
	if d, err := r.Store.GetDeputyByOpenID(ctx, openid); err == nil && d.Status == model.StatusEnded {
		return r.ended(ctx, openid)
	} else if err != nil && !errors.Is(err, model.ErrNotFound) {
		return "", err
	}
	parked, err := r.park(ctx, openid)
	if err != nil {
		return "", err
	}
	reply, err := r.clickKey(ctx, openid, key)
	if parked != "" && err == nil {
		reply += "\n" + parked
	}
	return reply, err
}

func (r *Router) clickKey(ctx context.Context, openid, key string) (string, error) {
	switch key {
	case KeyBind:
		return r.startBind(ctx, openid)
	case KeyHelp:
		return r.help(ctx, openid)
	case KeyBindHelp:
		if _, err := r.Store.GetDeputyByOpenID(ctx, openid); errors.Is(err, model.ErrNotFound) {
			return r.startBind(ctx, openid)
		}
		return r.help(ctx, openid)
	}
	if d, err := r.Store.GetDeputyByOpenID(ctx, openid); err == nil && r.Engine != nil {
		if reply, ok, err := r.deputyCommand(ctx, d, openid, menuLabel(key)); ok || err != nil {
			return reply, err
		}
	} else if errors.Is(err, model.ErrNotFound) {
		return r.say("unbound", nil)
	}
	return r.say("menu.coming", map[string]any{"Key": menuLabel(key)})
}

func menuLabel(key string) string {
	switch key {
	case KeyMaterials:
		return "学习材料"
	case KeyMeetings:
		return "会议活动"
	case KeyMySuggestions:
		return "我的建议"
	case KeyFeedback:
		return "意见反馈"
	case KeySuggest:
		return "提建议"
	}
	return key
}

// normalizeWord folds a short command: trims spaces and punctuation and
// full-width forms, so "  取消。" and "取消" are the same word.
func normalizeWord(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
	return strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' { // full-width ASCII
			return r - '！' + '!'
		}
		if r == '　' {
			return ' '
		}
		return r
	}, s)
}

func (r *Router) text(ctx context.Context, openid, text string) (string, error) {
	word := normalizeWord(text)
	prefix := ""
	conv, err := r.Store.GetConversation(ctx, openid)
	switch {
	case errors.Is(err, model.ErrNotFound):
	case err != nil:
		return "", err
	case !conv.ExpiresAt.After(r.now()):
		obs.ConversationTimeout(conv.Flow)
		// An engine flow's draft is kept (parked) for a week after it
		// timed out: 继续 resumes it. Binding starts over.
		title := ""
		if r.now().Sub(conv.ExpiresAt) < model.DraftKeep {
			if title, err = r.parkConversation(ctx, conv); err != nil {
				return "", err
			}
		}
		switch {
		case title == "":
			if err := r.Store.DeleteConversation(ctx, openid); err != nil {
				return "", err
			}
			prefix, _ = r.say("timed_out", nil)
		case word != "继续":
			prefix, _ = r.say("flow.timed_out_parked", map[string]any{"Title": title})
		}
	default:
		if conv.Flow == flowBind {
			if word == "取消" || word == "退出" {
				if err := r.Store.DeleteConversation(ctx, openid); err != nil {
					return "", err
				}
				return r.say("cancelled", nil)
			}
			return r.bindStep(ctx, conv, text)
		}
		if conv.Flow == FlowSignup && isSignupEscape(word) {
			// 退出报名2 or 活动报名 again, typed at the list: a command.
			if err := r.Store.DeleteConversation(ctx, openid); err != nil {
				return "", err
			}
		} else if r.Engine != nil && r.Engine.Owns(conv.Flow) {
			if d, err := r.Store.GetDeputyByOpenID(ctx, openid); err == nil {
				if d.Status == model.StatusEnded {
					return r.ended(ctx, openid)
				}
				helpInText := false
				if isHelpWord(word) {
					// 帮助 in a choice step explains the step; in a free-text
					// step it is the command, like any other.
					if helpInText, err = r.Engine.InFreeText(ctx, d, conv); err != nil {
						return "", err
					}
				}
				if isCommandWord(word) || helpInText {
					// A command typed in the middle of a flow (我的会议 while
					// writing an opinion) is the command, not text: the flow
					// waits, parked, unless the step takes the word as its answer.
					takes, err := r.Engine.Accepts(ctx, d, conv, text)
					if err != nil {
						return "", err
					}
					if !takes {
						return r.commandParking(ctx, d, conv, word, text)
					}
				}
				kept := ""
				if spokenOpinion(ctx, conv, word) && r.Media != nil {
					// The spoken opinion keeps its audio with it.
					var ok bool
					if kept, ok, err = r.opinionMedia(ctx, d, conv, voiceName, voiceMedia(ctx)); err != nil || !ok {
						return kept, err
					}
					if conv, err = r.Store.GetConversation(ctx, openid); err != nil {
						return "", err
					}
				}
				reply, err := r.Engine.Continue(ctx, d, conv, text)
				if !errors.Is(err, errFlowGone) {
					if kept != "" && err == nil {
						reply = kept + "\n" + reply
					}
					return reply, err
				}
			}
		}
	}
	reply, err := r.command(ctx, openid, word, text)
	if prefix != "" && reply != "" {
		reply = prefix + "\n" + reply
	}
	return reply, err
}

func (r *Router) command(ctx context.Context, openid, word, text string) (string, error) {
	d, err := r.Store.GetDeputyByOpenID(ctx, openid)
	return r.commandOf(ctx, d, err, openid, word, text)
}

// commandOf is command for the deputy d the message's openid reads as
// (err: how reading them failed, ErrNotFound for someone not bound).
func (r *Router) commandOf(ctx context.Context, d model.Deputy, err error, openid, word, text string) (string, error) {
	if err == nil && d.Status == model.StatusEnded {
		return r.ended(ctx, openid)
	}
	switch {
	case word == "绑定" || word == "绑定身份" || word == "代表绑定":
		return r.startBind(ctx, openid)
	case isHelpWord(word) && errors.Is(err, model.ErrNotFound):
		if reply, ok, err := r.staffCommand(ctx, openid, word); ok || err != nil {
			return reply, err
		}
		return r.helpWithLiaison(ctx, openid)
	case isHelpWord(word):
		return r.helpWithLiaison(ctx, openid)
	}
	if errors.Is(err, model.ErrNotFound) {
		if reply, ok, err := r.memberCommand(ctx, openid, word, text); ok || err != nil {
			return reply, err
		}
		if reply, ok, err := r.staffCommand(ctx, openid, word); ok || err != nil {
			return reply, err
		}
		return r.publicText(ctx, openid, word, text)
	}
	if err != nil {
		return "", err
	}
	if r.Engine == nil {
		return r.say("unknown", map[string]any{"Name": d.Name})
	}
	if word == "继续" {
		return r.resume(ctx, d, openid)
	}
	if word == "取消" || word == "退出" {
		return r.cancelParked(ctx, d, openid)
	}
	if reply, ok, err := r.deputyCommand(ctx, d, openid, word); ok || err != nil {
		return reply, err
	}
	if reply, ok, err := r.forwardCommand(ctx, d, text); ok || err != nil {
		return reply, err
	}
	if reply, ok, err := r.commandWithText(ctx, d, openid, text); ok || err != nil {
		return reply, err
	}
	// Not a command: it answers the oldest pending ask, or is a message.
	return r.deputyText(ctx, d, openid, word, text)
}

// ended answers a deputy whose term has ended, whatever they send: no
// flow starts or goes on (one under way is dropped), and the reply says
// why and whom to ask. Menu sessions and pushed links refuse them the
// same way.
func (r *Router) ended(ctx context.Context, openid string) (string, error) {
	if err := r.Store.DeleteConversation(ctx, openid); err != nil && !errors.Is(err, model.ErrNotFound) {
		return "", err
	}
	return r.say("deputy.ended", nil)
}

// resume restores a flow parked by a menu click.
func (r *Router) resume(ctx context.Context, d model.Deputy, openid string) (string, error) {
	c, err := r.Store.TakeParked(ctx, openid)
	if errors.Is(err, model.ErrNotFound) {
		return r.say("flow.nothing_parked", nil)
	}
	if err != nil {
		return "", err
	}
	return r.Engine.Resume(ctx, d, c)
}

// park sets an engine flow aside when a menu click or a command typed
// mid-flow interrupts it; it returns the line telling the deputy how to
// come back.
func (r *Router) park(ctx context.Context, openid string) (string, error) {
	if r.Engine == nil {
		return "", nil
	}
	c, err := r.Store.GetConversation(ctx, openid)
	if errors.Is(err, model.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	title, err := r.parkConversation(ctx, c)
	if err != nil || title == "" {
		return "", err
	}
	return r.say("flow.parked", map[string]any{"Title": title})
}

// parkConversation parks c if it is an engine flow of a bound deputy and
// returns its title; "" when c is not one (binding).
func (r *Router) parkConversation(ctx context.Context, c model.Conversation) (string, error) {
	if r.Engine == nil || !r.Engine.Owns(c.Flow) {
		return "", nil
	}
	d, err := r.Store.GetDeputyByOpenID(ctx, c.OpenID)
	if err != nil {
		return "", nil
	}
	return r.parkAs(ctx, d, c)
}

// parkAs parks c, an engine flow of d, and returns its title. The title
// is read first: what it reads (the suggestion being rated …) the message
// has mostly read already, and the message's read memo forgets it at the
// park's write.
func (r *Router) parkAs(ctx context.Context, d model.Deputy, c model.Conversation) (string, error) {
	title := r.Engine.Title(ctx, d, c)
	if err := r.Store.ParkConversation(ctx, c); err != nil {
		return "", err
	}
	return title, nil
}

// commandParking parks c, the flow of d under way, and runs the command
// word: with the deputy and the conversation the message has read.
func (r *Router) commandParking(ctx context.Context, d model.Deputy, c model.Conversation, word, text string) (string, error) {
	parked := ""
	if r.Engine.Owns(c.Flow) {
		title, err := r.parkAs(ctx, d, c)
		if err != nil {
			return "", err
		}
		if title != "" {
			if parked, err = r.say("flow.parked", map[string]any{"Title": title}); err != nil {
				return "", err
			}
		}
	}
	reply, err := r.commandOf(ctx, d, nil, c.OpenID, word, text)
	if err == nil && parked != "" {
		reply += "\n" + parked
	}
	return reply, err
}

// cancelParked discards the flow a deputy set aside, saying which.
func (r *Router) cancelParked(ctx context.Context, d model.Deputy, openid string) (string, error) {
	c, err := r.Store.TakeParked(ctx, openid)
	if errors.Is(err, model.ErrNotFound) {
		return r.say("flow.nothing_to_cancel", nil)
	}
	if err != nil {
		return "", err
	}
	return r.say("flow.cancelled_parked", map[string]any{"Title": r.Engine.Title(ctx, d, c)})
}

// isCommandWord tells whether a normalized message is exactly a deputy's
// command (我的会议, 我的建议, 测评1 …): typed in a flow, it runs.
func isCommandWord(word string) bool {
	if word == "继续" {
		return false
	}
	if deputyOnlyWords[word] || mineWords[word] || publicOpinionWords[word] || signupWords[word] || suggestWords[word] {
		return true
	}
	_, ok := numberAfter(word, "测评", "评价", "修改")
	return ok
}

// isHelpWord tells whether a normalized message asks for help.
func isHelpWord(word string) bool {
	switch word {
	case "帮助", "help", "HELP", "?", "菜单":
		return true
	}
	return false
}

func (r *Router) help(ctx context.Context, openid string) (string, error) {
	st, err := r.Store.GetChatState(ctx, openid)
	if err != nil {
		// Help without the greeting rather than no help.
		st = model.ChatState{}
	}
	return r.helpText(st)
}

// helpText renders the help text for the deputy st names ("" when
// unbound), with the 双联系 words when they are a member or a leader, once
// per deputy: it is the most frequent answer, and the texts never change
// while the router runs.
func (r *Router) helpText(st model.ChatState) (string, error) {
	key := helpKey{st.DeputyName, st.Member, st.Leader}
	if v, ok := r.helps.Load(key); ok {
		if h := v.(renderedHelp); h.texts == r.Texts {
			return h.text, nil
		}
	}
	text, err := r.say("help", map[string]any{"Name": st.DeputyName, "Member": st.Member, "Leader": st.Leader})
	if err == nil {
		r.helps.Store(key, renderedHelp{r.Texts, text})
	}
	return text, err
}

// helpKey is what a help text depends on.
type helpKey struct {
	name           string
	member, leader bool
}

// renderedHelp is a cached help text and the texts it came from.
type renderedHelp struct {
	texts *templates.Set
	text  string
}

func (r *Router) say(name string, data any) (string, error) {
	return r.Texts.Render(name, data)
}
