package h5

import (
	"context"
	"net/url"

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
	inv, invited, err := h.d.Services.Meetings.ForDeputy(ctx, core.DeputyActor(model.Deputy{ID: dep}, core.ViaH5), id)
	if err != nil {
		return err
	}
	m := *inv.Meeting
	v := &h5Meeting{ID: m.ID, Kind: m.KindLabel(), Title: m.Title, Place: m.Place,
		Organiser: m.Organiser, Contact: m.Contact, Starts: h.fmtTime(m.StartsAt), Deadline: h.fmtTime(m.RSVPDeadline),
		Invited: invited, Open: m.RSVPOpenAt(h.d.Now()), Status: inv.Status,
		StatusLabel: inv.StatusLabel(), Reason: inv.Reason, Action: t.action("rsvp"), FormReason: in.Form.Get("reason")}
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

// rsvp records the deputy's answer posted from the page (status attend or
// leave, and the reason of a leave).
func (h *server) rsvp(ctx context.Context, dep, meetingID int64, f url.Values) error {
	d, err := h.d.Services.Deputies.Get(ctx, dep)
	if err != nil {
		return err
	}
	_, err = h.d.Services.Meetings.RSVP(ctx, core.DeputyActor(d, core.ViaH5), meetingID, f.Get("status"), f.Get("reason"))
	return err
}
