package h5

import (
	"context"
	"errors"

	"deputybot/core"
	"deputybot/model"
)

// The meeting section of an H5 page: the invitation and its RSVP form.

type h5Meeting struct {
	ID                                     int64
	Kind, Title, Place, Organiser, Contact string
	Starts, Ends, Deadline                 string
	Invited, Open                          bool
	Status, StatusLabel, Reason            string
	Action                                 string
	FormReason                             string
}

func (h *server) meetingSection(ctx context.Context, s *h5Section, dep, id int64, t h5Target, in h5Input) error {
	inv, err := h.d.DB.GetInvitation(ctx, id, dep)
	invited := err == nil
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return err
	}
	var m model.Meeting
	if invited {
		m = *inv.Meeting
	} else if m, err = h.d.DB.GetMeeting(ctx, id); err != nil {
		return err
	}
	v := &h5Meeting{ID: m.ID, Kind: core.MeetingKindLabel(m.Kind), Title: m.Title, Place: m.Place,
		Organiser: m.Organiser, Contact: m.Contact, Starts: h.fmtTime(m.StartsAt), Deadline: h.fmtTime(m.RSVPDeadline),
		Invited: invited, Open: !h.d.Now().After(m.RSVPDeadline), Status: inv.Status,
		StatusLabel: core.RSVPLabel(inv.Status), Reason: inv.Reason, Action: t.action("rsvp"), FormReason: in.Form.Get("reason")}
	if m.EndsAt.Valid {
		v.Ends = h.fmtTime(m.EndsAt.Time)
	}
	if v.FormReason == "" && inv.Status == model.RSVPLeave {
		v.FormReason = inv.Reason
	}
	s.Meeting = v
	switch {
	case !invited:
		s.NotYours, s.Note = true, "您不在本次会议活动的邀请名单中，无需回执。"
	case !v.Open:
		s.Note = "回执已于 " + v.Deadline + " 截止。如需变更，请直接联系会议组织方。"
	}
	if in.Done == "rsvp" {
		switch inv.Status {
		case model.RSVPAttend:
			s.Done = "已记录您的回执：参加。请按时出席。"
		case model.RSVPLeave:
			s.Done = "已记录您的回执：请假。请假事由：" + inv.Reason
		}
	}
	return nil
}
