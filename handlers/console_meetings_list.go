package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/meetings", viewers, meetingsList) }

// meetingLine is one meeting of the list.
type meetingLine struct {
	ID                             int64
	Kind, Title, Place             string
	StartsAt, EndsAt, RSVPDeadline string
	Attend, Leave, Pending         int
	Invited, Attended              int
	Open                           bool // RSVPs still accepted
}

func (s *server) meetingLineOf(m model.MeetingSummary) meetingLine {
	l := meetingLine{ID: m.ID, Kind: core.MeetingKindLabel(m.Kind), Title: m.Title, Place: m.Place,
		StartsAt: s.fmtTime(m.StartsAt), EndsAt: s.fmtTime(campaignTime(m.EndsAt)), RSVPDeadline: s.fmtTime(m.RSVPDeadline),
		Attend: m.Counts[model.RSVPAttend], Leave: m.Counts[model.RSVPLeave], Pending: m.Counts[model.RSVPPending],
		Invited: m.Invited, Attended: m.Attended, Open: s.d.Now().Before(m.RSVPDeadline)}
	return l
}

type meetingsView struct {
	Kind     string
	Kinds    []campaignOption
	Meetings []meetingLine
	Pager    pager
}

func meetingsList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	q := r.URL.Query()
	kind := q.Get("kind")
	if _, ok := core.MeetingKinds[kind]; !ok {
		kind = ""
	}
	pg := campaignPageParam(q)
	ms, total, err := s.d.DB.ListMeetings(r.Context(), model.MeetingFilter{Kind: kind, Limit: campaignPageSize,
		Offset: (pg - 1) * campaignPageSize})
	if err != nil {
		return err
	}
	v := meetingsView{Kind: kind, Kinds: meetingKindOptions(), Pager: newPager(total, pg, campaignPageSize, func(p int) string {
		u := url.Values{"page": {strconv.Itoa(p)}}
		if kind != "" {
			u.Set("kind", kind)
		}
		return "/admin/meetings?" + u.Encode()
	})}
	for _, m := range ms {
		v.Meetings = append(v.Meetings, s.meetingLineOf(m))
	}
	s.render(w, r, http.StatusOK, "meetings", page{Title: "会议活动", Nav: "meetings", Me: me, Data: v})
	return nil
}
