package model

import (
	"fmt"
	"time"
)

// Message statuses as stored: a message (留言) is unread until a colleague
// takes it (assigned) or it is answered (replied); closed ends it.
const (
	MessageUnread   = "unread"
	MessageAssigned = "assigned"
	MessageReplied  = "replied"
	MessageClosed   = "closed"
)

// MessageStatuses lists the statuses in the order filters show them.
var MessageStatuses = []string{MessageUnread, MessageAssigned, MessageReplied, MessageClosed}

var messageStatusLabels = map[string]string{
	MessageUnread: "未读", MessageAssigned: "已指派", MessageReplied: "已答复", MessageClosed: "已关闭",
}

// MessageStatusLabel returns a message status's Chinese name.
func MessageStatusLabel(status string) string {
	if l, ok := messageStatusLabels[status]; ok {
		return l
	}
	return status
}

// IsMessageStatus reports whether s is a message status.
func IsMessageStatus(s string) bool { _, ok := messageStatusLabels[s]; return ok }

// Who left a message: a bound deputy, or a follower who is not one.
const (
	SenderDeputy = "deputy"
	SenderPublic = "public"
)

// SenderLabel returns a sender kind's Chinese name.
func SenderLabel(sender string) string {
	switch sender {
	case SenderDeputy:
		return "代表"
	case SenderPublic:
		return "群众"
	}
	return sender
}

// What a message holds.
const (
	MessageText  = "text"
	MessageImage = "image"
	MessageVoice = "voice"
)

// MessageKindLabel returns a message kind's Chinese name.
func MessageKindLabel(kind string) string {
	switch kind {
	case MessageImage:
		return "图片"
	case MessageVoice:
		return "语音"
	}
	return "文字"
}

// Message is one message (留言) a follower left in the chat that no
// conversation took: the inbox staff read and answer.
type Message struct {
	ID               int64
	Receipt          string // LY2026-00012, assigned when stored
	OpenID           string
	DeputyID         int64  // 0: a member of the public
	DeputyName       string // read only
	DeputyDelegation string // read only
	Kind             string // MessageText …
	Body             string // the text, or a voice message's recognition
	Status           string
	AssigneeID       int64  // the staff account looking after it; 0: none
	AssigneeName     string // read only
	AssignedBy       string
	AssignedAt       *time.Time
	CloseNote        string // why it was closed, if staff said
	Replies          int    // read only: how many replies it has
	CreatedAt        time.Time
	RepliedAt        *time.Time
	ClosedAt         *time.Time
}

// Sender is SenderDeputy or SenderPublic.
func (m Message) Sender() string {
	if m.DeputyID != 0 {
		return SenderDeputy
	}
	return SenderPublic
}

// SenderName names the sender as staff read it: the deputy's name, or 群众.
func (m Message) SenderName() string {
	if m.DeputyID != 0 {
		return m.DeputyName
	}
	return "群众"
}

// StatusLabel is the status in Chinese.
func (m Message) StatusLabel() string { return MessageStatusLabel(m.Status) }

// Object names the message in the audit log.
func (m Message) Object() string { return fmt.Sprintf("message/%s", m.Receipt) }

// MessageReply is a staff member's answer to a message, and how its push
// to the sender went.
type MessageReply struct {
	ID        int64
	MessageID int64
	StaffID   int64
	StaffName string
	Body      string
	Source    string // the push's delivery source
	CreatedAt time.Time
	// The push's delivery, read only: status, channel (template or custom)
	// and why it failed or was not sent.
	DeliveryStatus  string
	DeliveryChannel string
	DeliveryReason  string
}

// MessageThread is a message with its replies, oldest first.
type MessageThread struct {
	Message Message
	Replies []MessageReply
	Files   []File // the photo or voice audio sent with it
}

// MessageFilter selects messages for the inbox, newest first.
type MessageFilter struct {
	Status     string // one of MessageStatuses; "" any
	Sender     string // SenderDeputy, SenderPublic; "" both
	AssigneeID int64  // 0: anyone's
	DeputyID   int64  // 0: anyone's
	OpenID     string // "": anyone's
	Limit      int    // 0: all
	Offset     int
}
