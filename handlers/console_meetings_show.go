package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/meetings/{id}", viewers, meetingShow) }

// rsvpPageSize is the length of a page of the RSVP table.
const rsvpPageSize = 100

type meetingView struct {
	Meeting             model.Meeting
	Line                meetingLine
	Organiser, Contact  string
	Filter, FilterLabel string
	Statuses            []campaignOption
	RSVPs               []rsvpLine
	Pager               pager
	Here                string // this page, to come back to after marking attendance
	DeadlinePassed      bool
}

// meetingOfPath loads the meeting named in the path.
func (s *server) meetingOfPath(ctx context.Context, idText string) (model.Meeting, error) {
	id, err := parseID(idText)
	if err != nil {
		return model.Meeting{}, err
	}
	return s.d.DB.GetMeeting(ctx, id)
}

// meetingSummaryOf counts a meeting's invitations.
func (s *server) meetingSummaryOf(ctx context.Context, m model.Meeting) (model.MeetingSummary, error) {
	sum := model.MeetingSummary{Meeting: m}
	var err error
	if sum.Counts, err = s.d.DB.RSVPCounts(ctx, m.ID); err != nil {
		return sum, err
	}
	for _, n := range sum.Counts {
		sum.Invited += n
	}
	_, sum.Attended, err = s.d.DB.AttendedCount(ctx, m.ID)
	return sum, err
}

func meetingShow(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	m, err := s.meetingOfPath(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	sum, err := s.meetingSummaryOf(ctx, m)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	filter := oneOf(q.Get("status"), rsvpStatuses...)
	pg := campaignPageParam(q)
	link := func(p int) string {
		u := url.Values{}
		if filter != "" {
			u.Set("status", filter)
		}
		if p > 1 {
			u.Set("page", strconv.Itoa(p))
		}
		if len(u) == 0 {
			return fmt.Sprintf("/admin/meetings/%d", m.ID)
		}
		return fmt.Sprintf("/admin/meetings/%d?%s", m.ID, u.Encode())
	}
	rows, total, err := s.d.DB.ListInvitations(ctx, model.InvitationFilter{MeetingID: m.ID, Status: filter,
		Limit: rsvpPageSize, Offset: (pg - 1) * rsvpPageSize})
	if err != nil {
		return err
	}
	v := meetingView{Meeting: m, Line: s.meetingLineOf(sum), Filter: filter, Here: link(pg),
		DeadlinePassed: !s.d.Now().Before(m.RSVPDeadline), Pager: newPager(total, pg, rsvpPageSize, link)}
	if filter != "" {
		v.FilterLabel = core.RSVPLabel(filter)
	}
	for _, st := range rsvpStatuses {
		v.Statuses = append(v.Statuses, campaignOption{st, core.RSVPLabel(st)})
	}
	for _, row := range rows {
		v.RSVPs = append(v.RSVPs, s.rsvpLineOf(row))
	}
	s.render(w, r, http.StatusOK, "meeting", page{Title: m.Title, Nav: "meetings", Me: me, Data: v})
	return nil
}
