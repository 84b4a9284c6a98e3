package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// meetingLine is one meeting of the list, and the head of its page.
type meetingLine struct {
	ID                             int64
	Kind, Title, Place             string
	StartsAt, EndsAt, RSVPDeadline string
	Attend, Leave, Pending         int
	Invited, Attended              int
	Open                           bool   // RSVPs still accepted
	Signup                         string // places taken of the sign-up, "" when not opened for it
}

func (s *server) meetingLineOf(m model.MeetingSummary, now time.Time) meetingLine {
	l := meetingLine{ID: m.ID, Kind: m.KindLabel(), Title: m.Title, Place: m.Place,
		StartsAt: s.fmtTime(m.StartsAt), RSVPDeadline: s.fmtTime(m.RSVPDeadline),
		Attend: m.Counts[model.RSVPAttend], Leave: m.Counts[model.RSVPLeave], Pending: m.Counts[model.RSVPPending],
		Invited: m.Invited, Attended: m.Attended, Open: m.RSVPOpenAt(now)}
	if m.EndsAt.Valid {
		l.EndsAt = s.fmtTime(m.EndsAt.Time)
	}
	if su := m.Signup; su != nil {
		l.Signup = fmt.Sprintf("%d/%d", su.Confirmed, su.Window.Capacity)
		if su.Waiting > 0 {
			l.Signup += fmt.Sprintf("，候补 %d", su.Waiting)
		}
		if !su.Window.OpenAt(now) {
			l.Signup += "（已截止）"
		}
	}
	return l
}

type meetingsView struct {
	Kind     string
	Kinds    []option
	Meetings []meetingLine
	Pager    pager
}

// meetingsList pages through the meetings, latest first; ?kind= filters.
func meetingsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	kind := q.Get("kind")
	if !model.IsMeetingKind(kind) {
		kind = ""
	}
	pg := pageParam(q)
	ms, total, err := s.core.Meetings.List(r.Context(), by, model.MeetingFilter{Kind: kind, Limit: meetingsPageSize,
		Offset: (pg - 1) * meetingsPageSize})
	if err != nil {
		return err
	}
	v := meetingsView{Kind: kind, Kinds: meetingKindOptions(), Pager: newPager(total, pg, meetingsPageSize, func(p int) string {
		u := url.Values{"page": {strconv.Itoa(p)}}
		if kind != "" {
			u.Set("kind", kind)
		}
		return "/admin/meetings?" + u.Encode()
	})}
	now := s.core.Now()
	for _, m := range ms {
		v.Meetings = append(v.Meetings, s.meetingLineOf(m, now))
	}
	s.render(w, r, http.StatusOK, "meetings", page{Title: "会议活动", Nav: "meetings", Me: by.Account, Data: v})
	return nil
}

// meetingsExport downloads the list (its ?kind=) as Excel.
func meetingsExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	kind := r.URL.Query().Get("kind")
	if !model.IsMeetingKind(kind) {
		kind = ""
	}
	f, err := s.core.Meetings.ExportList(r.Context(), by, model.MeetingFilter{Kind: kind})
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
