package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type meetingPage struct {
	Total    int       `json:"total"`
	Page     int       `json:"page"`
	PerPage  int       `json:"per_page"`
	Meetings []meeting `json:"meetings"`
}

// meetingsList pages through meetings, latest start first; kind filters.
func meetingsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	per, err := perPageOf(q, 50, 200)
	if err != nil {
		return err
	}
	kind := q.Get("kind")
	if kind != "" && !model.IsMeetingKind(kind) {
		return badRequest("kind 不是已知的会议活动类型")
	}
	pg := pageOf(q)
	ms, total, err := s.core.Meetings.List(r.Context(), by, model.MeetingFilter{Kind: kind, Limit: per, Offset: (pg - 1) * per})
	if err != nil {
		return err
	}
	out := meetingPage{Total: total, Page: pg, PerPage: per, Meetings: []meeting{}}
	for _, m := range ms {
		out.Meetings = append(out.Meetings, meetingOf(m))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
