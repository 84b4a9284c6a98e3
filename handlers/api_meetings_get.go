package handlers

import (
	"deputybot/model"
	"net/http"
)

func init() { apiRoute(http.MethodGet, "/api/v1/meetings/{id}", viewers, apiMeetingGet) }

// apiMeetingGet answers a meeting with a page of its RSVP table, by
// delegation and name: status filters, page and per_page (1–1000,
// default 500) page.
func apiMeetingGet(s *server, w http.ResponseWriter, r *http.Request, _ model.Account) error {
	ctx := r.Context()
	m, err := s.meetingOfPath(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	per, err := campaignPerPage(r, 500, 1000)
	if err != nil {
		return err
	}
	status := q.Get("status")
	if status != "" && oneOf(status, rsvpStatuses...) == "" {
		return badRequest("status 应为 attend、leave 或 pending")
	}
	sum, err := s.meetingSummaryOf(ctx, m)
	if err != nil {
		return err
	}
	pg := campaignPageParam(q)
	rows, total, err := s.d.DB.ListInvitations(ctx, model.InvitationFilter{MeetingID: m.ID, Status: status, Limit: per, Offset: (pg - 1) * per})
	if err != nil {
		return err
	}
	out := apiMeetingOf(sum)
	invs := make([]apiInvitation, 0, len(rows))
	for _, row := range rows {
		invs = append(invs, apiInvitationOf(row))
	}
	out.InvitationsTotal, out.Invitations = &total, &invs
	writeJSON(w, http.StatusOK, out)
	return nil
}
