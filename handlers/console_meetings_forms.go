package handlers

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/core"
	"deputybot/model"
)

// meetingService is the meetings service, on the console's clock.
func (s *server) meetingService() *core.Meetings {
	m := core.NewMeetings(s.d.DB)
	m.Now, m.Loc = s.d.Now, s.d.Loc
	return m
}

// meetingKindOptions lists core.MeetingKinds in a stable order.
func meetingKindOptions() []campaignOption {
	keys := make([]string, 0, len(core.MeetingKinds))
	for k := range core.MeetingKinds {
		keys = append(keys, k)
	}
	order := map[string]int{"session": 0, "research": 1, "inspection": 2, "station": 3, "study": 4, "exchange": 5}
	sort.Slice(keys, func(i, j int) bool {
		oi, iok := order[keys[i]]
		oj, jok := order[keys[j]]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return keys[i] < keys[j]
	})
	out := make([]campaignOption, len(keys))
	for i, k := range keys {
		out[i] = campaignOption{k, core.MeetingKinds[k]}
	}
	return out
}

// meetingForm is the create form of a meeting, as typed.
type meetingForm struct {
	Kind, Title, StartsAt, EndsAt, Place, Organiser, Contact, RSVPDeadline string
}

func parseMeetingForm(v url.Values) meetingForm {
	t := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return meetingForm{Kind: t("kind"), Title: t("title"), StartsAt: t("starts_at"), EndsAt: t("ends_at"), Place: t("place"),
		Organiser: t("organiser"), Contact: t("contact"), RSVPDeadline: t("rsvp_deadline")}
}

// meeting turns the form into a meeting, with the problems core does not
// check: times that cannot be read, an end before the start, lengths.
func (f meetingForm) meeting(loc *time.Location) (model.Meeting, core.ValidationError) {
	m := model.Meeting{Kind: f.Kind, Title: f.Title, Place: f.Place, Organiser: f.Organiser, Contact: f.Contact}
	var errs core.ValidationError
	at := func(field, v string, required bool) time.Time {
		if v == "" {
			if required {
				errs = append(errs, &core.FieldError{Label: field, Msg: "不能为空"})
			}
			return time.Time{}
		}
		t, err := parseCampaignTime(v, loc)
		if err != nil {
			errs = append(errs, &core.FieldError{Label: field, Value: v, Msg: "请填写日期和时间，如 2026-03-05 09:00"})
		}
		return t
	}
	m.StartsAt = at("时间", f.StartsAt, true)
	if end := at("结束时间", f.EndsAt, false); !end.IsZero() {
		m.EndsAt = sql.NullTime{Time: end, Valid: true}
		if !m.StartsAt.IsZero() && end.Before(m.StartsAt) {
			errs = append(errs, &core.FieldError{Key: "ends_at", Label: "结束时间", Msg: "不能早于开始时间"})
		}
	}
	m.RSVPDeadline = at("回执截止时间", f.RSVPDeadline, false)
	for _, c := range []struct {
		field, v string
		max      int
	}{{"标题", f.Title, 100}, {"地点", f.Place, 100}, {"组织单位", f.Organiser, 50}, {"联系人", f.Contact, 50}} {
		if utf8.RuneCountInString(c.v) > c.max {
			errs = append(errs, &core.FieldError{Label: c.field, Msg: fmt.Sprintf("最多 %d 个字", c.max)})
		}
	}
	return m, errs
}

// createMeeting validates and stores a meeting: the form's problems and
// the rules core applies are reported together (core checks again).
func (s *server) createMeeting(ctx context.Context, m *model.Meeting, pre core.ValidationError) error {
	errs := pre
	if m.Title == "" {
		errs = append(errs, &core.FieldError{Key: "title", Label: "标题", Msg: "不能为空"})
	}
	if _, ok := core.MeetingKinds[m.Kind]; !ok {
		errs = append(errs, &core.FieldError{Key: "kind", Label: "类型", Value: m.Kind, Msg: "请选择会议活动类型"})
	}
	if !m.StartsAt.IsZero() && m.RSVPDeadline.After(m.StartsAt) {
		errs = append(errs, &core.FieldError{Key: "rsvp_deadline", Label: "回执截止时间", Msg: "不能晚于开始时间"})
	}
	if len(errs) > 0 {
		return errs
	}
	return s.meetingService().Create(ctx, m)
}

func meetingObject(id int64) string { return fmt.Sprintf("meeting/%d", id) }

// meetingInviteBatch is how many deputies are invited per transaction.
const meetingInviteBatch = 1000

// inviteAudience invites the audience's deputies in office to the meeting,
// a batch of deputy ids at a time, each batch one transaction with its
// invitation notices and RSVP asks. It returns the newly invited and how
// many the audience held.
func (s *server) inviteAudience(ctx context.Context, meetingID int64, a model.Audience) (invited, considered int, err error) {
	svc := s.meetingService()
	var after int64
	for {
		ids, err := s.d.DB.AudienceIDs(ctx, a, after, meetingInviteBatch)
		if err != nil {
			return invited, considered, err
		}
		if len(ids) == 0 {
			return invited, considered, nil
		}
		n, err := svc.Invite(ctx, meetingID, ids)
		invited += n
		considered += len(ids)
		if err != nil {
			return invited, considered, err
		}
		after = ids[len(ids)-1]
	}
}

// remindPending pushes a reminder now to the invitees who have not
// answered; their RSVP asks stay open. Each press is its own source, so a
// second press reminds again.
func (s *server) remindPending(ctx context.Context, m model.Meeting) (int, error) {
	now := s.d.Now()
	source := fmt.Sprintf("rsvpnow-%d-%d", m.ID, now.Unix())
	deadline := m.RSVPDeadline.In(s.d.Loc).Format("1月2日 15:04")
	notice := model.Notice{Kind: model.KindReminder, Title: "请回复会议活动回执", RefKind: "meeting", RefID: m.ID,
		Body:   fmt.Sprintf("“%s”的回执将于 %s 截止，请回复“参加”或“请假”。", m.Title, deadline),
		Fields: map[string]string{"time": deadline, "note": m.Title}}
	var after int64
	n := 0
	for {
		ids, err := s.d.DB.PendingInvitees(ctx, m.ID, after, meetingInviteBatch)
		if err != nil || len(ids) == 0 {
			return n, err
		}
		if err := s.d.DB.Enqueue(ctx, source, model.Push{Notice: notice, DeputyIDs: ids}); err != nil {
			return n, err
		}
		n += len(ids)
		after = ids[len(ids)-1]
	}
}

// rsvpLine is one line of a meeting's RSVP table.
type rsvpLine struct {
	DeputyID                int64
	Name, Delegation        string
	Status, Label, Reason   string
	AnsweredAt, Channel     string
	Attended, AttendedKnown bool
}

func (s *server) rsvpLineOf(r model.InvitationRow) rsvpLine {
	return rsvpLine{DeputyID: r.DeputyID, Name: r.DeputyName, Delegation: r.Delegation, Status: r.Status,
		Label: core.RSVPLabel(r.Status), Reason: r.Reason, AnsweredAt: s.fmtTime(campaignTime(r.AnsweredAt)),
		Channel: rsvpChannelLabel(r.Channel), Attended: r.Attended.Valid && r.Attended.Bool, AttendedKnown: r.Attended.Valid}
}

func rsvpChannelLabel(ch string) string {
	switch ch {
	case "chat", "wechat":
		return "微信对话"
	case "h5":
		return "详情页"
	case "console":
		return "后台登记"
	case "api":
		return "接口"
	}
	return ch
}

var rsvpStatuses = []string{model.RSVPAttend, model.RSVPLeave, model.RSVPPending}
