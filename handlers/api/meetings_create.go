package api

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// meetingInput is the body of POST /api/v1/meetings: times in RFC 3339 (or
// "2006-01-02 15:04", the configured time zone).
type meetingInput struct {
	Kind         string `json:"kind"`
	Title        string `json:"title"`
	StartsAt     string `json:"starts_at"`
	EndsAt       string `json:"ends_at"`
	Place        string `json:"place"`
	Organiser    string `json:"organiser"`
	Contact      string `json:"contact"`
	RSVPDeadline string `json:"rsvp_deadline"`
}

// meetingCreate creates a meeting: 201 with it and its Location.
func meetingCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in meetingInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.core.Meetings.Create(r.Context(), by, core.MeetingInput(in))
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/meetings/%d", m.ID))
	httpkit.WriteJSON(w, http.StatusCreated, meetingOf(model.MeetingSummary{Meeting: m}))
	return nil
}
