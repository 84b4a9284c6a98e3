package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"deputybot/core"
	"deputybot/model"
)

// rsvpPageSize is the length of a page of the RSVP table.
const rsvpPageSize = 100

// rsvpLine is one line of a meeting's RSVP table.
type rsvpLine struct {
	DeputyID                int64
	Name, Delegation        string
	Status, Label, Reason   string
	AnsweredAt, Channel     string
	Attended, AttendedKnown bool
}

func (s *server) rsvpLineOf(r model.InvitationRow) rsvpLine {
	l := rsvpLine{DeputyID: r.DeputyID, Name: r.DeputyName, Delegation: r.Delegation, Status: r.Status,
		Label: r.StatusLabel(), Reason: r.Reason, Channel: model.RSVPChannelLabel(r.Channel),
		Attended: r.Attended.Valid && r.Attended.Bool, AttendedKnown: r.Attended.Valid}
	if r.AnsweredAt.Valid {
		l.AnsweredAt = s.fmtTime(r.AnsweredAt.Time)
	}
	return l
}

type meetingView struct {
	Meeting             model.Meeting
	Line                meetingLine
	Filter, FilterLabel string
	RSVPs               []rsvpLine
	Pager               pager
	Here                string // this page, to come back to after marking attendance
	DeadlinePassed      bool
}

// meetingShow is a meeting with its RSVP table (?status= filters), where
// editors mark attendance.
func meetingShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sum, err := s.core.Meetings.Summary(ctx, by, id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	filter := q.Get("status")
	if !slices.Contains(model.RSVPStatuses, filter) {
		filter = ""
	}
	pg := pageParam(q)
	link := func(p int) string {
		u := url.Values{}
		if filter != "" {
			u.Set("status", filter)
		}
		if p > 1 {
			u.Set("page", strconv.Itoa(p))
		}
		if len(u) == 0 {
			return fmt.Sprintf("/admin/meetings/%d", id)
		}
		return fmt.Sprintf("/admin/meetings/%d?%s", id, u.Encode())
	}
	rows, total, err := s.core.Meetings.Invitations(ctx, by, model.InvitationFilter{MeetingID: id, Status: filter,
		Limit: rsvpPageSize, Offset: (pg - 1) * rsvpPageSize})
	if err != nil {
		return err
	}
	now := s.core.Now()
	v := meetingView{Meeting: sum.Meeting, Line: s.meetingLineOf(sum, now), Filter: filter, Here: link(pg),
		DeadlinePassed: !sum.RSVPOpenAt(now), Pager: newPager(total, pg, rsvpPageSize, link)}
	if filter != "" {
		v.FilterLabel = model.RSVPLabel(filter)
	}
	for _, row := range rows {
		v.RSVPs = append(v.RSVPs, s.rsvpLineOf(row))
	}
	s.render(w, r, http.StatusOK, "meeting", page{Title: sum.Title, Nav: "meetings", Me: by.Account, Data: v})
	return nil
}
