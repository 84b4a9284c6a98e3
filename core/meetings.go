package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/storage"
)

// FlowRSVP is the conversation that answers an invitation; a pending ask
// with this flow is left for each invited deputy.
const FlowRSVP = "rsvp"

// ErrRSVPClosed refuses an answer after the RSVP deadline.
var ErrRSVPClosed error = &Problem{Kind: model.ErrConflict, Msg: "回执已截止，不能再提交或修改。如需变更，请直接联系会议组织方。"}

// Limits of a meeting and of an answer to its invitation.
const (
	maxMeetingTitle     = 100
	maxMeetingPlace     = 100
	maxMeetingOrganiser = 50
	maxMeetingContact   = 50
	maxRSVPReason       = 200
	inviteBatch         = 1000 // deputies invited (or reminded) per statement batch
)

// Meetings manages meetings and activities, their invitations, the RSVPs
// and the attendance.
type Meetings struct{ *env }

// NewMeetings returns the meetings service over db, on its own clock.
func NewMeetings(db *storage.DB) *Meetings { return &Meetings{newEnv(db)} }

// MeetingInput is a meeting as typed in the console's form or sent to the
// API: times as text, RFC 3339 or 2006-01-02 15:04 (also with a T, as a
// datetime-local input sends it) in the committee's zone.
type MeetingInput struct {
	Kind, Title, StartsAt, EndsAt, Place, Organiser, Contact, RSVPDeadline string
}

// Create validates and stores a meeting. The RSVP deadline defaults to the
// start and may not be after it; the end may not be before the start.
func (s *Meetings) Create(ctx context.Context, by Actor, in MeetingInput) (model.Meeting, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Meeting{}, err
	}
	m, err := s.meetingOf(in)
	if err != nil {
		return model.Meeting{}, err
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		if err := s.db.CreateMeeting(ctx, &m); err != nil {
			return err
		}
		return s.audit(ctx, by, "meeting.create", m.Object(), fmt.Sprintf("新建%s“%s”，%s，%s", m.KindLabel(), m.Title,
			m.StartsAt.In(s.loc).Format("2006-01-02 15:04"), m.Place))
	})
	return m, err
}

// meetingOf reads and checks a typed meeting, every problem at once.
func (s *Meetings) meetingOf(in MeetingInput) (model.Meeting, error) {
	t := strings.TrimSpace
	m := model.Meeting{Kind: t(in.Kind), Title: t(in.Title), Place: t(in.Place), Organiser: t(in.Organiser), Contact: t(in.Contact)}
	var errs ValidationError
	if !model.IsMeetingKind(m.Kind) {
		errs = append(errs, &FieldError{Key: "kind", Label: "类型", Value: m.Kind, Msg: "请选择会议活动类型"})
	}
	if m.Title == "" {
		errs = append(errs, &FieldError{Key: "title", Label: "标题", Msg: "不能为空"})
	}
	at := func(key, label, v string, required bool) time.Time {
		v = t(v)
		if v == "" {
			if required {
				errs = append(errs, &FieldError{Key: key, Label: label, Msg: "不能为空"})
			}
			return time.Time{}
		}
		tm, ok := parseMeetingTime(v, s.loc)
		if !ok {
			errs = append(errs, &FieldError{Key: key, Label: label, Value: v, Msg: "请填写日期和时间，如 2026-03-05 09:00"})
		}
		return tm
	}
	m.StartsAt = at("starts_at", "时间", in.StartsAt, true)
	if end := at("ends_at", "结束时间", in.EndsAt, false); !end.IsZero() {
		m.EndsAt.Time, m.EndsAt.Valid = end, true
		if !m.StartsAt.IsZero() && end.Before(m.StartsAt) {
			errs = append(errs, &FieldError{Key: "ends_at", Label: "结束时间", Msg: "不能早于开始时间"})
		}
	}
	m.RSVPDeadline = at("rsvp_deadline", "回执截止时间", in.RSVPDeadline, false)
	if m.RSVPDeadline.IsZero() {
		m.RSVPDeadline = m.StartsAt
	} else if !m.StartsAt.IsZero() && m.RSVPDeadline.After(m.StartsAt) {
		errs = append(errs, &FieldError{Key: "rsvp_deadline", Label: "回执截止时间", Msg: "不能晚于开始时间"})
	}
	for _, c := range []struct {
		key, label, v string
		max           int
	}{{"title", "标题", m.Title, maxMeetingTitle}, {"place", "地点", m.Place, maxMeetingPlace},
		{"organiser", "组织单位", m.Organiser, maxMeetingOrganiser}, {"contact", "联系人", m.Contact, maxMeetingContact}} {
		if utf8.RuneCountInString(c.v) > c.max {
			errs = append(errs, &FieldError{Key: c.key, Label: c.label, Msg: fmt.Sprintf("最多 %d 个字", c.max)})
		}
	}
	if len(errs) > 0 {
		return m, errs
	}
	return m, nil
}

// parseMeetingTime reads a time typed in the console (a datetime-local
// input, or a date and time with a space) in loc, or RFC 3339.
func parseMeetingTime(s string, loc *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// viewerOrDeputy lets staff who see deputy data, and deputies, read a
// meeting: its details are no secret to those invited to such things.
func viewerOrDeputy(by Actor) error {
	if by.Deputy.ID != 0 {
		return nil
	}
	return by.Require(Viewers...)
}

// Get returns a meeting.
func (s *Meetings) Get(ctx context.Context, by Actor, id int64) (model.Meeting, error) {
	if err := viewerOrDeputy(by); err != nil {
		return model.Meeting{}, err
	}
	return s.get(ctx, id)
}

func (s *Meetings) get(ctx context.Context, id int64) (model.Meeting, error) {
	m, err := s.db.GetMeeting(ctx, id)
	if err != nil {
		return m, withNotFoundText(err, "会议活动不存在或已被删除。")
	}
	return m, nil
}

// notFoundAs gives a storage "not found" the Chinese sentence surfaces show.
func withNotFoundText(err error, msg string) error {
	if errors.Is(err, model.ErrNotFound) {
		return &Problem{Kind: model.ErrNotFound, Msg: msg}
	}
	return err
}

// Summary returns a meeting with its invitations counted by answer and
// attendance.
func (s *Meetings) Summary(ctx context.Context, by Actor, id int64) (model.MeetingSummary, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.MeetingSummary{}, err
	}
	m, err := s.get(ctx, id)
	if err != nil {
		return model.MeetingSummary{}, err
	}
	sum := model.MeetingSummary{Meeting: m}
	if sum.Counts, err = s.db.RSVPCounts(ctx, m.ID); err != nil {
		return sum, err
	}
	for _, n := range sum.Counts {
		sum.Invited += n
	}
	if _, sum.Attended, err = s.db.AttendedCount(ctx, m.ID); err != nil {
		return sum, err
	}
	err = s.withSignups(ctx, []model.MeetingSummary{sum}, func(i int, su *model.SignupSummary) { sum.Signup = su })
	return sum, err
}

// withSignups hands each meeting's sign-up (for those opened for it) to set.
func (s *Meetings) withSignups(ctx context.Context, ms []model.MeetingSummary, set func(i int, su *model.SignupSummary)) error {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	sus, err := s.db.SignupSummaries(ctx, ids)
	if err != nil {
		return err
	}
	for i, m := range ms {
		if su, ok := sus[m.ID]; ok {
			set(i, &su)
		}
	}
	return nil
}

// List returns one page of meetings, latest start first, with their
// counts, and how many match in all.
func (s *Meetings) List(ctx context.Context, by Actor, f model.MeetingFilter) ([]model.MeetingSummary, int, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, 0, err
	}
	ms, total, err := s.db.ListMeetings(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	err = s.withSignups(ctx, ms, func(i int, su *model.SignupSummary) { ms[i].Signup = su })
	return ms, total, err
}

// Invitations returns one page of a meeting's RSVP table, by delegation and
// name, and how many match in all.
func (s *Meetings) Invitations(ctx context.Context, by Actor, f model.InvitationFilter) ([]model.InvitationRow, int, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, 0, err
	}
	if _, err := s.get(ctx, f.MeetingID); err != nil {
		return nil, 0, err
	}
	return s.db.ListInvitations(ctx, f)
}

// Invited is what an invitation did: the deputies newly invited and those
// of the audience invited before (not invited or notified again).
type Invited struct {
	Invited, AlreadyInvited int
}

// Invite invites the audience's deputies in office to the meeting: each
// newly invited deputy gets the invitation notice and a pending RSVP in the
// chat, written with the invitation. The audience must name someone; a
// meeting's own invitees cannot be invited to it again.
func (s *Meetings) Invite(ctx context.Context, by Actor, meetingID int64, a model.Audience) (Invited, error) {
	var out Invited
	if err := by.Require(Editors...); err != nil {
		return out, err
	}
	err := s.tx(ctx, func(ctx context.Context) error {
		m, err := s.get(ctx, meetingID)
		if err != nil {
			return err
		}
		var errs ValidationError
		if a.MeetingID == m.ID {
			errs = append(errs, &FieldError{Key: "meeting_id", Label: "会议活动", Msg: "不能按本会议活动的受邀代表再次邀请"})
		}
		if errs, err = s.checkInviteAudience(ctx, a, errs); err != nil || len(errs) > 0 {
			return cmpErr(errs, err)
		}
		considered := 0
		var after int64
		for {
			ids, err := s.db.AudienceIDs(ctx, a, after, inviteBatch)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				break
			}
			n, err := s.db.Invite(ctx, m.ID, ids, s.invitation(m))
			if err != nil {
				return err
			}
			out.Invited += n
			considered += len(ids)
			after = ids[len(ids)-1]
		}
		out.AlreadyInvited = considered - out.Invited
		if out.Invited == 0 {
			return nil // nothing changed, nothing to record
		}
		return s.audit(ctx, by, "meeting.invite", m.Object(), fmt.Sprintf("邀请代表参加“%s”：%s，新邀请 %d 位", m.Title,
			inviteAudienceText(a), out.Invited))
	})
	if err != nil {
		return Invited{}, err
	}
	return out, nil
}

// cmpErr returns err, else the validation errors (nil when none).
func cmpErr(errs ValidationError, err error) error {
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// invitation is the notice and the RSVP ask each newly invited deputy gets.
func (s *Meetings) invitation(m model.Meeting) model.Push {
	when := m.StartsAt.In(s.loc).Format("2006年1月2日 15:04")
	deadline := m.RSVPDeadline.In(s.loc).Format("1月2日 15:04")
	return model.Push{
		Notice: model.Notice{Kind: model.KindInvitation, Title: m.Title, RefKind: "meeting", RefID: m.ID,
			Body: fmt.Sprintf("%s\n时间：%s\n地点：%s\n请于 %s 前回复是否参加。", m.KindLabel(), when, m.Place, deadline),
			Fields: map[string]string{"time": when, "place": m.Place, "kind": m.KindLabel(),
				"deadline": deadline, "note": "回复“参加”或“请假”"}},
		Ask: rsvpAsk(m.ID, m.Title),
	}
}

// rsvpAsk is the pending answer a deputy owes an invitation.
func rsvpAsk(meetingID int64, title string) *model.Ask {
	return &model.Ask{Flow: FlowRSVP, RefID: meetingID, Title: "会议活动回执：" + title}
}

// rsvpReminder is the reminder to answer an invitation before its deadline:
// the daily job's and the one staff send at once. It names the meeting and
// when it starts, so a deputy with several invitations knows which one.
func rsvpReminder(m model.Meeting, loc *time.Location) model.Notice {
	d := m.RSVPDeadline.In(loc).Format("1月2日 15:04")
	starts := m.StartsAt.In(loc).Format("1月2日 15:04")
	place := ""
	if m.Place != "" {
		place = "，地点：" + m.Place
	}
	return model.Notice{Kind: model.KindReminder, Title: "请回复会议活动回执：" + m.Title, RefKind: "meeting", RefID: m.ID,
		Body:   fmt.Sprintf("“%s”将于 %s 开始%s。回执 %s 截止，请回复“参加”或“请假”。", m.Title, starts, place, d),
		Fields: map[string]string{"time": starts, "deadline": d, "note": "回执 " + d + " 截止"}}
}

// Remind sends a reminder now to the invitees who have not answered; their
// RSVP asks stay open. Each call is its own send, so a second reminds
// again. It is refused once the RSVP deadline has passed.
func (s *Meetings) Remind(ctx context.Context, by Actor, meetingID int64) (int, error) {
	if err := by.Require(Editors...); err != nil {
		return 0, err
	}
	n := 0
	err := s.tx(ctx, func(ctx context.Context) error {
		m, err := s.get(ctx, meetingID)
		if err != nil {
			return err
		}
		now := s.now()
		if !m.RSVPOpenAt(now) {
			return Conflict("回执已截止，不能再提醒代表回复。")
		}
		source := fmt.Sprintf("rsvpnow-%d-%d", m.ID, now.Unix())
		notice := rsvpReminder(m, s.loc)
		var after int64
		for {
			ids, err := s.db.PendingInvitees(ctx, m.ID, after, inviteBatch)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				break
			}
			if err := s.db.Enqueue(ctx, source, model.Push{Notice: notice, DeputyIDs: ids, Ask: rsvpAsk(m.ID, m.Title)}); err != nil {
				return err
			}
			n += len(ids)
			after = ids[len(ids)-1]
		}
		if n == 0 {
			return nil
		}
		return s.audit(ctx, by, "meeting.remind", m.Object(), fmt.Sprintf("提醒“%s”的 %d 位未回复代表", m.Title, n))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Attendance is a sign-in to record: who attended (Present), who did not
// (Absent), and NoneAttended, the confirmation that nobody named attended.
type Attendance struct {
	Present, Absent []int64
	NoneAttended    bool
}

// RecordAttendance records who attended the meeting and who did not;
// deputies not named keep what was recorded. It is refused before the
// meeting starts, and when nobody is marked present unless that is
// confirmed. A later save corrects what was recorded: its audit entry
// names each deputy whose mark changed, as it returns them (张三 缺席→到会).
// Nothing is written when anyone named was not invited.
func (s *Meetings) RecordAttendance(ctx context.Context, by Actor, meetingID int64, in Attendance) (corrections []string, err error) {
	if err := by.Require(Editors...); err != nil {
		return nil, err
	}
	present, absent := in.Present, in.Absent
	err = s.tx(ctx, func(ctx context.Context) error {
		corrections = nil
		m, err := s.get(ctx, meetingID)
		if err != nil {
			return err
		}
		if s.now().Before(m.StartsAt) {
			return &FieldError{Key: "attended", Label: "签到", Msg: fmt.Sprintf("“%s”%s开始，开始前不能保存签到",
				m.Title, m.StartsAt.In(s.loc).Format("2006-01-02 15:04"))}
		}
		if len(present)+len(absent) == 0 {
			return &FieldError{Key: "attended", Label: "签到", Msg: "请至少登记一位代表到会或缺席"}
		}
		if len(present) == 0 && !in.NoneAttended {
			return &FieldError{Key: "none_attended", Label: "确认无人到会",
				Msg: fmt.Sprintf("没有勾选任何到会的代表，保存后 %d 位代表都将记为缺席；如确实无人到会，请确认后再保存", len(absent))}
		}
		before, err := s.db.AttendanceMarks(ctx, m.ID, append(append([]int64{}, present...), absent...))
		if err != nil {
			return err
		}
		missing, err := s.db.SetAttendance(ctx, m.ID, present, absent)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			ids := make([]string, len(missing))
			for i, id := range missing {
				ids[i] = fmt.Sprint(id)
			}
			return &FieldError{Key: "attended", Label: "签到",
				Msg: fmt.Sprintf("有 %d 位代表未被邀请参加此会议活动（编号 %s），签到未保存", len(missing), strings.Join(ids, "、"))}
		}
		detail := fmt.Sprintf("“%s”签到：到会 %d 位，缺席 %d 位", m.Title, len(present), len(absent))
		if corrections = attendanceCorrections(before, present); len(corrections) > 0 {
			detail += fmt.Sprintf("；更正 %d 位：%s", len(corrections), strings.Join(corrections, "，"))
		}
		return s.audit(ctx, by, "meeting.attendance", m.Object(), detail)
	})
	if err != nil {
		return nil, err
	}
	return corrections, nil
}

// attendanceCorrections names each deputy whose recorded attendance the
// save changes (张三 缺席→到会); a first mark is no correction.
func attendanceCorrections(before []model.AttendanceMark, present []int64) []string {
	isPresent := map[int64]bool{}
	for _, id := range present {
		isPresent[id] = true
	}
	var out []string
	for _, b := range before {
		if !b.Attended.Valid || b.Attended.Bool == isPresent[b.DeputyID] {
			continue
		}
		now := sql.NullBool{Bool: isPresent[b.DeputyID], Valid: true}
		out = append(out, fmt.Sprintf("%s %s→%s", b.Name, model.AttendanceLabel(b.Attended), model.AttendanceLabel(now)))
	}
	return out
}

// ForDeputy returns the acting deputy's invitation to the meeting, with
// the meeting; invited is false (and the invitation empty but for its
// meeting) when the deputy is not invited.
func (s *Meetings) ForDeputy(ctx context.Context, by Actor, meetingID int64) (inv model.Invitation, invited bool, err error) {
	if by.Deputy.ID == 0 {
		return inv, false, Forbidden("只有代表本人可以查看自己的会议活动邀请")
	}
	inv, err = s.db.GetInvitation(ctx, meetingID, by.Deputy.ID)
	if err == nil {
		return inv, true, nil
	}
	if !errors.Is(err, model.ErrNotFound) {
		return inv, false, err
	}
	m, err := s.get(ctx, meetingID)
	if err != nil {
		return model.Invitation{}, false, err
	}
	return model.Invitation{MeetingID: m.ID, DeputyID: by.Deputy.ID, Meeting: &m}, false, nil
}

// Upcoming lists the acting deputy's invitations to meetings starting at
// or after since, soonest first.
func (s *Meetings) Upcoming(ctx context.Context, by Actor, since time.Time) ([]model.Invitation, error) {
	if by.Deputy.ID == 0 {
		return nil, Forbidden("只有代表本人可以查看自己的会议活动")
	}
	return s.db.UpcomingInvitations(ctx, by.Deputy.ID, since)
}

// RSVP records the acting deputy's answer to their invitation: 参加, or
// 请假 with a reason. It is refused with ErrRSVPClosed after the deadline
// and not found when the deputy is not invited. The answer closes the
// pending RSVP in the chat and is recorded with the surface it came
// through. It returns the invitation as answered.
func (s *Meetings) RSVP(ctx context.Context, by Actor, meetingID int64, status, reason string) (model.Invitation, error) {
	if by.Deputy.ID == 0 {
		return model.Invitation{}, Forbidden("只有受邀代表本人可以回复会议活动邀请")
	}
	var out model.Invitation
	err := s.tx(ctx, func(ctx context.Context) error {
		inv, err := s.db.GetInvitation(ctx, meetingID, by.Deputy.ID)
		if err != nil {
			return withNotFoundText(err, "您不在本次会议活动的邀请名单中。")
		}
		if !inv.Meeting.RSVPOpenAt(s.now()) {
			return ErrRSVPClosed
		}
		reason = strings.TrimSpace(reason)
		switch status {
		case model.RSVPAttend:
			reason = ""
		case model.RSVPLeave:
			if reason == "" {
				return &FieldError{Key: "reason", Label: "请假事由", Msg: "不能为空"}
			}
			if n := utf8.RuneCountInString(reason); n > maxRSVPReason {
				return &FieldError{Key: "reason", Label: "请假事由", Msg: fmt.Sprintf("过长（最多 %d 字，现有 %d 字）", maxRSVPReason, n)}
			}
		default:
			return &FieldError{Key: "status", Label: "回执", Value: status, Msg: "应为参加或请假"}
		}
		if err := s.db.AnswerInvitation(ctx, meetingID, by.Deputy.ID, status, reason, by.Via); err != nil {
			return err
		}
		if err := s.db.CloseAsk(ctx, by.Deputy.ID, FlowRSVP, meetingID); err != nil {
			return err
		}
		if err := s.audit(ctx, by, "meeting.rsvp", inv.Meeting.Object(),
			fmt.Sprintf("回复“%s”：%s", inv.Meeting.Title, model.RSVPLabel(status))); err != nil {
			return err
		}
		out, err = s.db.GetInvitation(ctx, meetingID, by.Deputy.ID)
		return err
	})
	return out, err
}
