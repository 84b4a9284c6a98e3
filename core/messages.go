package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/model"
)

// Limits of the inbox.
const (
	// MaxMessageRunes bounds a message a follower leaves, and a staff reply.
	MaxMessageRunes = 2000
	// DefaultPublicDailyLimit is how many messages a follower who is not a
	// deputy may leave per day unless configured otherwise.
	DefaultPublicDailyLimit = 5
	maxCloseNote            = 200
	// RefMessage is the RefKind of a reply's push: its page shows the
	// message and its replies.
	RefMessage = "message"
)

// Messages is the inbox: the messages (留言) followers leave in the chat
// that no conversation takes, deputies' and the public's, and staff's
// answers, which reach the sender through the outbox.
type Messages struct {
	*env
	// PublicDailyLimit bounds the messages one follower who is not a
	// deputy may leave per day (China time); 0 means
	// DefaultPublicDailyLimit. Deputies are not limited.
	PublicDailyLimit int
}

func (s *Messages) dailyLimit() int {
	if s.PublicDailyLimit > 0 {
		return s.PublicDailyLimit
	}
	return DefaultPublicDailyLimit
}

// MessageInput is what a follower sent: text (or a voice message's
// recognition) of a kind.
type MessageInput struct {
	Kind string // model.MessageText (default), MessageImage, MessageVoice
	Text string
	// Media is the photo (an image message, which needs it) or the voice
	// message's audio, fetched from WeChat: stored with the message, or
	// nothing is stored.
	Media *ChatMedia
}

// imageBody is the text of an image message sent without words.
const imageBody = "（图片）"

// checkMessageText validates a message or reply text: valid UTF-8, not
// blank, at most MaxMessageRunes; it returns the text trimmed.
func checkMessageText(key, label, text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", &FieldError{Key: key, Label: label, Msg: "含有无法识别的字符（乱码），请删去后重新发送"}
	}
	text = strings.TrimSpace(strings.ReplaceAll(text, "\x00", ""))
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return "", &FieldError{Key: key, Label: label, Msg: "不能为空"}
	case n > MaxMessageRunes:
		return "", &FieldError{Key: key, Label: label,
			Msg: fmt.Sprintf("最多 %d 字，现有 %d 字，请精简或分几次发送", MaxMessageRunes, n)}
	}
	return text, nil
}

// startOfDay is midnight of t's day in loc.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// Record stores what a follower wrote as a message with a receipt number:
// by is the deputy (DeputyActor) or the member of the public
// (PublicActor) writing in WeChat. A member of the public may leave
// PublicDailyLimit messages a day; beyond it the message is refused and
// nothing is stored.
func (s *Messages) Record(ctx context.Context, by Actor, in MessageInput) (model.Message, error) {
	if by.OpenID == "" || by.IsStaff() || by.Via == ViaJob {
		return model.Message{}, Forbidden("只有关注公众号的用户才能留言")
	}
	kind := in.Kind
	switch kind {
	case "":
		kind = model.MessageText
	case model.MessageText, model.MessageImage, model.MessageVoice:
	default:
		return model.Message{}, &FieldError{Key: "kind", Label: "留言类型", Value: kind, Msg: "应为 text、image 或 voice"}
	}
	if kind == model.MessageImage && in.Media == nil {
		return model.Message{}, &FieldError{Key: "file", Label: "图片", Msg: "没有收到图片，请重新发送"}
	}
	if kind == model.MessageImage && strings.TrimSpace(in.Text) == "" {
		in.Text = imageBody
	}
	text, err := checkMessageText("text", "留言内容", in.Text)
	if err != nil {
		return model.Message{}, err
	}
	var f model.File
	if in.Media != nil {
		if f, err = chatFile(by, *in.Media, s.now().In(s.loc)); err != nil {
			return model.Message{}, err
		}
	}
	m := model.Message{OpenID: by.OpenID, DeputyID: by.Deputy.ID, DeputyName: by.Deputy.Name, Kind: kind, Body: text}
	err = s.tx(ctx, func(ctx context.Context) error {
		if m.DeputyID == 0 {
			// One message at a time per follower: the count and the
			// insert below then see each other, and the limit holds.
			if err := s.db.LockFollowerMessages(ctx, m.OpenID); err != nil {
				return err
			}
			n, err := s.db.CountMessagesSince(ctx, m.OpenID, startOfDay(s.now(), s.loc))
			if err != nil {
				return err
			}
			if limit := s.dailyLimit(); n >= limit {
				return Conflict("您今天已留言 %d 条，达到每日上限。请明天再留言；如有急事，请直接联系当地人大代表联络站。", limit)
			}
		}
		if err := s.db.CreateMessage(ctx, &m); err != nil {
			return err
		}
		if in.Media != nil {
			if err := s.db.CreateFile(ctx, &f, in.Media.Data); err != nil {
				return err
			}
			if err := s.db.AttachMessageFile(ctx, m.ID, f.ID); err != nil {
				return err
			}
		}
		return s.audit(ctx, by, "message.record", m.Object(), fmt.Sprintf("收到%s留言 %s（%s）",
			model.SenderLabel(m.Sender()), m.Receipt, model.MessageKindLabel(m.Kind)))
	})
	if err != nil {
		return model.Message{}, err
	}
	return m, nil
}

func (s *Messages) get(ctx context.Context, id int64) (model.Message, error) {
	m, err := s.db.GetMessage(ctx, id)
	return m, withNotFoundText(err, "留言不存在或已被删除。")
}

// List returns one page of the inbox, newest first, and how many match.
func (s *Messages) List(ctx context.Context, by Actor, f model.MessageFilter) ([]model.Message, int, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, 0, err
	}
	if f.Status != "" && !model.IsMessageStatus(f.Status) {
		return nil, 0, &FieldError{Key: "status", Label: "状态", Value: f.Status, Msg: "应为 unread、assigned、replied 或 closed"}
	}
	if f.Sender != "" && f.Sender != model.SenderDeputy && f.Sender != model.SenderPublic {
		return nil, 0, &FieldError{Key: "sender", Label: "留言人", Value: f.Sender, Msg: "应为 deputy 或 public"}
	}
	return s.db.ListMessages(ctx, f)
}

// Counts returns how many messages there are in each status.
func (s *Messages) Counts(ctx context.Context, by Actor) (map[string]int, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	return s.db.CountMessagesByStatus(ctx)
}

// Get returns a message with its replies and how each reached the sender.
func (s *Messages) Get(ctx context.Context, by Actor, id int64) (model.MessageThread, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.MessageThread{}, err
	}
	return s.thread(ctx, id)
}

func (s *Messages) thread(ctx context.Context, id int64) (model.MessageThread, error) {
	m, err := s.get(ctx, id)
	if err != nil {
		return model.MessageThread{}, err
	}
	rs, err := s.db.MessageReplies(ctx, m.ID)
	if err != nil {
		return model.MessageThread{}, err
	}
	fs, err := s.db.MessageFiles(ctx, m.ID)
	return model.MessageThread{Message: m, Replies: rs, Files: fs}, err
}

// OfSender returns a message to the follower who left it (a deputy or a
// member of the public on the page a reply's push links to): anyone else
// is refused.
func (s *Messages) OfSender(ctx context.Context, by Actor, id int64) (model.MessageThread, error) {
	t, err := s.thread(ctx, id)
	if err != nil {
		return t, err
	}
	m := t.Message
	if by.OpenID == "" || (by.OpenID != m.OpenID && (by.Deputy.ID == 0 || by.Deputy.ID != m.DeputyID)) {
		return model.MessageThread{}, Forbidden("该留言不是您发送的，无法查看。")
	}
	return t, nil
}

// Mine returns the latest messages (at most limit) the follower by left,
// newest first, each with its replies: what 我的留言 shows in the chat.
func (s *Messages) Mine(ctx context.Context, by Actor, limit int) ([]model.MessageThread, error) {
	if by.OpenID == "" || by.IsStaff() {
		return nil, Forbidden("只有关注公众号的用户才能查看自己的留言")
	}
	ms, _, err := s.db.ListMessages(ctx, model.MessageFilter{OpenID: by.OpenID, Limit: limit})
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	rs, err := s.db.MessageReplies(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]model.MessageThread, len(ms))
	for i, m := range ms {
		out[i].Message = m
		for _, r := range rs {
			if r.MessageID == m.ID {
				out[i].Replies = append(out[i].Replies, r)
			}
		}
	}
	return out, nil
}

// Reply answers a message: the reply is stored, the message marked
// replied and a push to the sender queued, in one transaction. The push
// goes as a customer-service message with the reply's text while the
// sender wrote to the account within 48 hours, else as a template
// message linking to a page with the reply. A closed message takes no
// reply.
func (s *Messages) Reply(ctx context.Context, by Actor, id int64, text string) (model.MessageReply, error) {
	if err := by.Require(Editors...); err != nil {
		return model.MessageReply{}, err
	}
	text, err := checkMessageText("text", "答复内容", text)
	if err != nil {
		return model.MessageReply{}, err
	}
	r := model.MessageReply{MessageID: id, StaffID: by.Account.ID, StaffName: by.Name(), Body: text}
	err = s.tx(ctx, func(ctx context.Context) error {
		m, err := s.get(ctx, id)
		if err != nil {
			return err
		}
		if m.Status == model.MessageClosed {
			return Conflict("留言 %s 已关闭，不能再答复。", m.Receipt)
		}
		if err := s.db.AddMessageReply(ctx, &r); err != nil {
			return err
		}
		n := s.replyNotice(m, text)
		if _, _, err := s.db.EnqueueMemberNotice(ctx, r.Source, &n, m.DeputyID, m.OpenID); err != nil {
			return err
		}
		return s.audit(ctx, by, "message.reply", m.Object(), fmt.Sprintf("答复%s留言 %s（%s）",
			model.SenderLabel(m.Sender()), m.Receipt, m.SenderName()))
	})
	if err != nil {
		return model.MessageReply{}, err
	}
	rs, err := s.db.MessageReplies(ctx, id)
	if err != nil {
		return r, err
	}
	for _, x := range rs {
		if x.ID == r.ID {
			return x, nil
		}
	}
	return r, nil
}

// replyNotice is the push taking a reply to the message's sender.
func (s *Messages) replyNotice(m model.Message, text string) model.Notice {
	return model.Notice{Kind: model.KindMessageReply, Title: "留言答复 " + m.Receipt, Body: text,
		Fields: map[string]string{"number": m.Receipt, "status": model.MessageStatusLabel(model.MessageReplied),
			"time": s.now().In(s.loc).Format("2006-01-02 15:04"), "note": "点击查看答复全文"},
		RefKind: RefMessage, RefID: m.ID}
}

// Assign gives a message to an enabled admin or staff account, who then
// looks after it; an unread message becomes assigned. A closed message
// cannot be assigned.
func (s *Messages) Assign(ctx context.Context, by Actor, id, staffID int64) (model.Message, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Message{}, err
	}
	var out model.Message
	err := s.tx(ctx, func(ctx context.Context) error {
		m, err := s.get(ctx, id)
		if err != nil {
			return err
		}
		a, err := s.db.GetAccount(ctx, staffID)
		if errors.Is(err, model.ErrNotFound) || (err == nil && !a.CanTakeOpinions()) {
			return &FieldError{Key: "staff_id", Label: "指派给", Value: strconv.FormatInt(staffID, 10),
				Msg: "请选择一个启用的管理员或工作人员账号"}
		}
		if err != nil {
			return err
		}
		if m.Status == model.MessageClosed {
			return Conflict("留言 %s 已关闭，不能再指派。", m.Receipt)
		}
		if err := s.db.AssignMessage(ctx, m.ID, a.ID, by.handle()); err != nil {
			return err
		}
		if err := s.audit(ctx, by, "message.assign", m.Object(), fmt.Sprintf("留言 %s 指派给 %s", m.Receipt, a.DisplayName())); err != nil {
			return err
		}
		out, err = s.get(ctx, id)
		return err
	})
	return out, err
}

// Close ends a message, with an optional note saying why (no reply
// needed, handled by telephone …); the sender is not told.
func (s *Messages) Close(ctx context.Context, by Actor, id int64, note string) (model.Message, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Message{}, err
	}
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) {
		return model.Message{}, &FieldError{Key: "note", Label: "关闭说明", Msg: "含有无法识别的字符（乱码），请删去后重新提交"}
	}
	if n := utf8.RuneCountInString(note); n > maxCloseNote {
		return model.Message{}, &FieldError{Key: "note", Label: "关闭说明", Msg: fmt.Sprintf("最多 %d 字，现有 %d 字", maxCloseNote, n)}
	}
	var out model.Message
	err := s.tx(ctx, func(ctx context.Context) error {
		m, err := s.get(ctx, id)
		if err != nil {
			return err
		}
		if m.Status == model.MessageClosed {
			return Conflict("留言 %s 已经关闭。", m.Receipt)
		}
		if err := s.db.CloseMessage(ctx, m.ID, note); err != nil {
			return err
		}
		summary := "关闭留言 " + m.Receipt
		if note != "" {
			summary += "，说明：" + note
		}
		if err := s.audit(ctx, by, "message.close", m.Object(), summary); err != nil {
			return err
		}
		out, err = s.get(ctx, id)
		return err
	})
	return out, err
}

// Assignees lists the accounts a message can be given to.
func (s *Messages) Assignees(ctx context.Context, by Actor) ([]model.Account, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	all, err := s.db.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []model.Account
	for _, a := range all {
		if a.CanTakeOpinions() {
			out = append(out, a)
		}
	}
	return out, nil
}
