package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() { apiRoute(http.MethodPost, "/api/v1/meetings", editors, apiMeetingCreate) }

func apiMeetingCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in apiMeetingInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	f := meetingForm{Kind: in.Kind, Title: in.Title, StartsAt: in.StartsAt, EndsAt: in.EndsAt, Place: in.Place,
		Organiser: in.Organiser, Contact: in.Contact, RSVPDeadline: in.RSVPDeadline}
	m, pre := f.meeting(s.d.Loc)
	if err := s.createMeeting(r.Context(), &m, pre); err != nil {
		return err
	}
	s.audit(r, me, "meeting.create", meetingObject(m.ID), meetingSummaryText(s, m))
	w.Header().Set("Location", fmt.Sprintf("/api/v1/meetings/%d", m.ID))
	writeJSON(w, http.StatusCreated, apiMeetingOf(model.MeetingSummary{Meeting: m}))
	return nil
}
