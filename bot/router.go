package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"deputybot/storage"
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
	KeyBindHelp      = "BIND_HELP" // binds an unbound user, helps a bound one
)

// Router answers deputies' messages and records WeChat's events.
type Router struct {
	DB          *storage.DB
	Texts       *templates.Set
	Log         *slog.Logger
	Loc         *time.Location
	IdleTimeout time.Duration    // an idle conversation ends after this
	Now         func() time.Time // default time.Now
}

func (r *Router) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Handle implements Handler.
func (r *Router) Handle(ctx context.Context, in Inbound) (string, error) {
	openid := in.FromUserName
	if in.MsgType == "event" {
		return r.event(ctx, in)
	}
	if err := r.DB.TouchFollower(ctx, openid); err != nil {
		return "", err
	}
	text := in.Content
	if in.MsgType == "voice" && in.Recognition != "" {
		text = in.Recognition
	} else if in.MsgType != "text" {
		return r.say("not_text", nil)
	}
	return r.text(ctx, openid, text)
}

func (r *Router) event(ctx context.Context, in Inbound) (string, error) {
	openid := in.FromUserName
	switch in.Event {
	case "subscribe":
		if err := r.DB.RecordFollow(ctx, openid, true); err != nil {
			return "", err
		}
		name := ""
		if d, err := r.DB.GetDeputyByOpenID(ctx, openid); err == nil {
			name = d.Name
		}
		return r.say("welcome", map[string]any{"Name": name})
	case "unsubscribe":
		if err := r.DB.RecordFollow(ctx, openid, false); err != nil {
			return "", err
		}
		return "", r.DB.DeleteConversation(ctx, openid)
	case "TEMPLATESENDJOBFINISH":
		return "", r.DB.RecordTemplateReport(ctx, in.EventMsgID, openid, in.Status)
	case "CLICK":
		if err := r.DB.TouchFollower(ctx, openid); err != nil {
			return "", err
		}
		return r.click(ctx, openid, in.EventKey)
	case "VIEW", "SCAN", "LOCATION":
		return "", r.DB.TouchFollower(ctx, openid)
	}
	return "", nil
}

func (r *Router) click(ctx context.Context, openid, key string) (string, error) {
	switch key {
	case KeyBind:
		return r.startBind(ctx, openid)
	case KeyHelp:
		return r.help(ctx, openid)
	case KeyBindHelp:
		if _, err := r.DB.GetDeputyByOpenID(ctx, openid); errors.Is(err, storage.ErrNotFound) {
			return r.startBind(ctx, openid)
		}
		return r.help(ctx, openid)
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
	conv, err := r.DB.GetConversation(ctx, openid)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return "", err
	case !conv.ExpiresAt.After(r.now()):
		if err := r.DB.DeleteConversation(ctx, openid); err != nil {
			return "", err
		}
		prefix, _ = r.say("timed_out", nil)
	default:
		switch word {
		case "取消", "退出":
			if err := r.DB.DeleteConversation(ctx, openid); err != nil {
				return "", err
			}
			return r.say("cancelled", nil)
		}
		if conv.Flow == flowBind {
			return r.bindStep(ctx, conv, text)
		}
	}
	reply, err := r.command(ctx, openid, word)
	if prefix != "" && reply != "" {
		reply = prefix + "\n" + reply
	}
	return reply, err
}

func (r *Router) command(ctx context.Context, openid, word string) (string, error) {
	switch word {
	case "绑定", "绑定身份", "代表绑定":
		return r.startBind(ctx, openid)
	case "帮助", "help", "HELP", "?", "菜单":
		return r.help(ctx, openid)
	}
	d, err := r.DB.GetDeputyByOpenID(ctx, openid)
	if errors.Is(err, storage.ErrNotFound) {
		return r.say("unbound", nil)
	}
	if err != nil {
		return "", err
	}
	return r.say("unknown", map[string]any{"Name": d.Name})
}

func (r *Router) help(ctx context.Context, openid string) (string, error) {
	name := ""
	if d, err := r.DB.GetDeputyByOpenID(ctx, openid); err == nil {
		name = d.Name
	}
	return r.say("help", map[string]any{"Name": name})
}

func (r *Router) say(name string, data any) (string, error) {
	return r.Texts.Render(name, data)
}
