package core

import (
	"context"
	"deputybot/model"
	"errors"
	"fmt"
	"strings"
	"time"

	"deputybot/storage"
)

// FlowRSVP is the conversation that answers an invitation; a pending ask
// with this flow is left for each invited deputy.
const FlowRSVP = "rsvp"

// ErrRSVPClosed is returned for an answer after the RSVP deadline.
var ErrRSVPClosed = errors.New("rsvp closed")

// MeetingKinds are the meetings and activities deputies are invited to.
var MeetingKinds = map[string]string{
	"session":    "列席常委会会议",
	"research":   "专题调研",
	"inspection": "集中视察",
	"station":    "代表联络站接待",
	"study":      "学习班",
	"exchange":   "履职交流会",
}

// MeetingKindLabel returns a kind's Chinese name.
func MeetingKindLabel(kind string) string {
	if l, ok := MeetingKinds[kind]; ok {
		return l
	}
	return kind
}

// RSVPLabel returns an invitation status's Chinese name.
func RSVPLabel(status string) string {
	switch status {
	case model.RSVPAttend:
		return "参加"
	case model.RSVPLeave:
		return "请假"
	}
	return "待回复"
}

// Meetings manages meetings, invitations and RSVPs.
type Meetings struct {
	db  *storage.DB
	Now func() time.Time
	Loc *time.Location // for the dates in notices
}

// NewMeetings returns the meetings service.
func NewMeetings(db *storage.DB) *Meetings { return &Meetings{db: db, Now: time.Now} }

// Create validates and stores a meeting.
func (m *Meetings) Create(ctx context.Context, mt *model.Meeting) error {
	var errs ValidationError
	mt.Title = strings.TrimSpace(mt.Title)
	if mt.Title == "" {
		errs = append(errs, &FieldError{Key: "title", Label: "标题", Msg: "不能为空"})
	}
	if _, ok := MeetingKinds[mt.Kind]; !ok {
		errs = append(errs, &FieldError{Key: "kind", Label: "类型", Value: mt.Kind, Msg: "不是已知的会议活动类型"})
	}
	if mt.StartsAt.IsZero() {
		errs = append(errs, &FieldError{Key: "starts_at", Label: "时间", Msg: "不能为空"})
	}
	if mt.RSVPDeadline.IsZero() {
		mt.RSVPDeadline = mt.StartsAt
	}
	if mt.RSVPDeadline.After(mt.StartsAt) {
		errs = append(errs, &FieldError{Key: "rsvp_deadline", Label: "回执截止时间", Msg: "不能晚于开始时间"})
	}
	if len(errs) > 0 {
		return errs
	}
	return m.db.CreateMeeting(ctx, mt)
}

// Invite invites deputies: the invitation notice and a pending RSVP ask
// for each newly invited deputy are written with the invitations.
func (m *Meetings) Invite(ctx context.Context, meetingID int64, deputyIDs []int64) (int, error) {
	mt, err := m.db.GetMeeting(ctx, meetingID)
	if err != nil {
		return 0, err
	}
	when := mt.StartsAt.In(m.loc()).Format("2006年1月2日 15:04")
	push := model.Push{
		Notice: model.Notice{Kind: model.KindInvitation, Title: mt.Title, RefKind: "meeting", RefID: mt.ID,
			Body: fmt.Sprintf("%s\n时间：%s\n地点：%s\n请于 %s 前回复是否参加。", MeetingKindLabel(mt.Kind), when, mt.Place,
				mt.RSVPDeadline.In(m.loc()).Format("1月2日 15:04")),
			Fields: map[string]string{"time": when, "place": mt.Place, "kind": MeetingKindLabel(mt.Kind),
				"deadline": mt.RSVPDeadline.In(m.loc()).Format("1月2日 15:04"), "note": "回复“参加”或“请假”"}},
		Ask: &model.Ask{Flow: FlowRSVP, RefID: meetingID, Title: "会议活动回执：" + mt.Title},
	}
	return m.db.Invite(ctx, meetingID, deputyIDs, push)
}

func (m *Meetings) loc() *time.Location {
	if m.Loc != nil {
		return m.Loc
	}
	return time.Local
}

// RSVP records a deputy's answer; a leave needs a reason. It fails with
// ErrRSVPClosed after the deadline and ErrNotFound if not invited.
func (m *Meetings) RSVP(ctx context.Context, meetingID, deputyID int64, status, reason, channel string) error {
	inv, err := m.db.GetInvitation(ctx, meetingID, deputyID)
	if err != nil {
		return err
	}
	if m.Now().After(inv.Meeting.RSVPDeadline) {
		return fmt.Errorf("core: rsvp to meeting %d: %w", meetingID, ErrRSVPClosed)
	}
	reason = strings.TrimSpace(reason)
	switch status {
	case model.RSVPAttend:
		reason = ""
	case model.RSVPLeave:
		if reason == "" {
			return ValidationError{{Label: "请假事由", Msg: "不能为空"}}
		}
	default:
		return ValidationError{{Label: "回执", Value: status, Msg: "应为参加或请假"}}
	}
	if err := m.db.AnswerInvitation(ctx, meetingID, deputyID, status, reason, channel); err != nil {
		return err
	}
	return m.db.CloseAsk(ctx, deputyID, FlowRSVP, meetingID)
}
