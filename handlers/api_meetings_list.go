package handlers

import (
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { apiRoute(http.MethodGet, "/api/v1/meetings", viewers, apiMeetingsList) }

type apiMeetingPage struct {
	Total    int          `json:"total"`
	Page     int          `json:"page"`
	PerPage  int          `json:"per_page"`
	Meetings []apiMeeting `json:"meetings"`
}

// apiMeetingsList pages through meetings, latest start first; kind filters.
func apiMeetingsList(s *server, w http.ResponseWriter, r *http.Request, _ model.Account) error {
	q := r.URL.Query()
	per, err := campaignPerPage(r, campaignPageSize, 200)
	if err != nil {
		return err
	}
	kind := q.Get("kind")
	if _, ok := core.MeetingKinds[kind]; kind != "" && !ok {
		return badRequest("kind 不是已知的会议活动类型")
	}
	pg := campaignPageParam(q)
	ms, total, err := s.d.DB.ListMeetings(r.Context(), model.MeetingFilter{Kind: kind, Limit: per, Offset: (pg - 1) * per})
	if err != nil {
		return err
	}
	out := apiMeetingPage{Total: total, Page: pg, PerPage: per, Meetings: []apiMeeting{}}
	for _, m := range ms {
		out.Meetings = append(out.Meetings, apiMeetingOf(m))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
