package api

import (
	"net/http"
	"slices"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// meetingGet answers a meeting with a page of its RSVP table, by delegation
// and name: status filters, page and per_page (1–1000, default 500) page.
func meetingGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ctx := r.Context()
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	per, err := perPageOf(q, 500, 1000)
	if err != nil {
		return err
	}
	status := q.Get("status")
	if status != "" && !slices.Contains(model.RSVPStatuses, status) {
		return badRequest("status 应为 attend、leave 或 pending")
	}
	sum, err := s.core.Meetings.Summary(ctx, by, id)
	if err != nil {
		return err
	}
	pg := pageOf(q)
	rows, total, err := s.core.Meetings.Invitations(ctx, by, model.InvitationFilter{MeetingID: id, Status: status, Limit: per, Offset: (pg - 1) * per})
	if err != nil {
		return err
	}
	out := meetingOf(sum)
	invs := make([]invitation, 0, len(rows))
	for _, row := range rows {
		invs = append(invs, invitationOf(row))
	}
	out.InvitationsTotal, out.Invitations = &total, &invs
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
