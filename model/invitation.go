package model

import (
	"database/sql"
	"time"
)

// Invitation statuses as stored: the deputy's RSVP.
const (
	RSVPPending = "pending"
	RSVPAttend  = "attend"
	RSVPLeave   = "leave"
)

// RSVPStatuses lists the statuses in the order filters offer them.
var RSVPStatuses = []string{RSVPAttend, RSVPLeave, RSVPPending}

// RSVPLabel returns an invitation status's Chinese name.
func RSVPLabel(status string) string {
	switch status {
	case RSVPAttend:
		return "参加"
	case RSVPLeave:
		return "请假"
	}
	return "待回复"
}

// RSVPChannelLabel names, in Chinese, how a deputy answered (the
// invitation's Channel: the surface the answer came through).
func RSVPChannelLabel(channel string) string {
	switch channel {
	case "chat", "wechat":
		return "微信对话"
	case "h5":
		return "详情页"
	case "console":
		return "后台登记"
	case "api":
		return "接口"
	}
	return channel
}

// Invitation is one deputy's invitation to a meeting and their answer.
type Invitation struct {
	MeetingID  int64        `db:"meeting_id"`
	DeputyID   int64        `db:"deputy_id"`
	Status     string       `db:"status"`
	Reason     string       `db:"reason"`
	Channel    string       `db:"channel"`
	AnsweredAt sql.NullTime `db:"answered_at"`
	Attended   sql.NullBool `db:"attended"`
	InvitedAt  time.Time    `db:"invited_at"`
	Meeting    *Meeting     `db:"-"`
}

// Answered reports whether the deputy has answered (参加 or 请假).
func (i Invitation) Answered() bool { return i.Status != RSVPPending && i.Status != "" }

// StatusLabel is the answer in Chinese.
func (i Invitation) StatusLabel() string { return RSVPLabel(i.Status) }

// InvitationRow is one line of a meeting's RSVP table.
type InvitationRow struct {
	Invitation
	DeputyName string `db:"deputy_name"`
	Delegation string `db:"delegation"`
}

// InvitationFilter selects a meeting's invitations, by delegation and name.
type InvitationFilter struct {
	MeetingID     int64
	Status        string // RSVPPending, RSVPAttend, RSVPLeave or empty
	Limit, Offset int    // Limit 0 means 50
}

// AttendanceMark is what is recorded of one invitee's attendance.
type AttendanceMark struct {
	DeputyID int64        `db:"deputy_id"`
	Name     string       `db:"name"`
	Attended sql.NullBool `db:"attended"`
}

// AttendanceLabel names a recorded attendance: 到会, 缺席, or 未登记.
func AttendanceLabel(a sql.NullBool) string {
	switch {
	case !a.Valid:
		return "未登记"
	case a.Bool:
		return "到会"
	}
	return "缺席"
}
