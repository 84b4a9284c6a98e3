package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
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
	Started             bool        // attendance can be recorded once the meeting starts
	StartsAt            string      // when it starts, as the page says it
	Signup              *signupView // nil when the meeting was never opened for sign-up
	SignupForm          core.SignupInput
	SignupErrors        fieldErrors
}

// signupView is the meeting's sign-up (活动报名) as its page shows it.
type signupView struct {
	Capacity, Confirmed, Waiting, Left int
	Deadline                           string
	Closed                             bool
	Rows                               []signupLine
}

type signupLine struct {
	Name, Delegation, Status, Label, SignedAt, Channel string
	Position                                           int
}

// meetingShow is a meeting with its RSVP table (?status= filters), where
// editors mark attendance.
func meetingShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	return s.renderMeeting(w, r, by, http.StatusOK, id, meetingView{})
}

// renderMeeting shows the meeting's page; v carries a refused sign-up
// form to show again.
func (s *server) renderMeeting(w http.ResponseWriter, r *http.Request, by core.Actor, status int, id int64, v meetingView) error {
	ctx := r.Context()
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
	v.Meeting, v.Line, v.Filter, v.Here = sum.Meeting, s.meetingLineOf(sum, now), filter, link(pg)
	v.DeadlinePassed, v.Pager = !sum.RSVPOpenAt(now), newPager(total, pg, rsvpPageSize, link)
	v.Started, v.StartsAt = !now.Before(sum.StartsAt), s.fmtTime(sum.StartsAt)
	if v.Signup, err = s.signupViewOf(r, by, id, now); err != nil {
		return err
	}
	if v.Signup != nil && v.SignupErrors == nil {
		v.SignupForm = core.SignupInput{Capacity: strconv.Itoa(v.Signup.Capacity), Deadline: strings.Replace(v.Signup.Deadline, " ", "T", 1)}
	}
	if filter != "" {
		v.FilterLabel = model.RSVPLabel(filter)
	}
	for _, row := range rows {
		v.RSVPs = append(v.RSVPs, s.rsvpLineOf(row))
	}
	s.render(w, r, status, "meeting", page{Title: sum.Title, Nav: "meetings", Me: by.Account, Data: v})
	return nil
}

// signupViewOf is the meeting's sign-up, or nil when it was never opened.
func (s *server) signupViewOf(r *http.Request, by core.Actor, id int64, now time.Time) (*signupView, error) {
	sum, rows, err := s.core.Meetings.Signups(r.Context(), by, id)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := &signupView{Capacity: sum.Window.Capacity, Confirmed: sum.Confirmed, Waiting: sum.Waiting, Left: sum.Left(),
		Deadline: sum.Window.Deadline.In(s.core.Location()).Format("2006-01-02 15:04"), Closed: !sum.Window.OpenAt(now)}
	for _, row := range rows {
		v.Rows = append(v.Rows, signupLine{Name: row.DeputyName, Delegation: row.Delegation, Status: row.Status,
			Label: model.SignupLabel(row.Status), SignedAt: s.fmtTime(row.SignedAt), Channel: model.RSVPChannelLabel(row.Channel),
			Position: row.Position})
	}
	return v, nil
}
