package api

import (
	"net/http"
	"strconv"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// signupJSON is a meeting's sign-up (活动报名) as the API shows it.
type signupJSON struct {
	MeetingID int64            `json:"meeting_id"`
	Capacity  int              `json:"capacity"`
	Deadline  time.Time        `json:"deadline"`
	Confirmed int              `json:"confirmed"`
	Waiting   int              `json:"waiting"`
	Left      int              `json:"left"`
	OpenedBy  string           `json:"opened_by"`
	OpenedAt  time.Time        `json:"opened_at"`
	Signups   *[]signupRowJSON `json:"signups,omitempty"`
}

type signupRowJSON struct {
	DeputyID    int64     `json:"deputy_id"`
	Name        string    `json:"name"`
	Delegation  string    `json:"delegation"`
	Status      string    `json:"status"`
	StatusLabel string    `json:"status_label"`
	Position    int       `json:"position,omitempty"`
	Channel     string    `json:"channel"`
	SignedAt    time.Time `json:"signed_at"`
}

func signupOf(s model.SignupSummary) signupJSON {
	return signupJSON{MeetingID: s.Window.MeetingID, Capacity: s.Window.Capacity, Deadline: s.Window.Deadline.UTC(),
		Confirmed: s.Confirmed, Waiting: s.Waiting, Left: s.Left(), OpenedBy: s.Window.OpenedBy, OpenedAt: s.Window.OpenedAt.UTC()}
}

// meetingSignupOpen opens the meeting for sign-up, or changes its places
// and deadline ({"capacity": 30, "deadline": "…"}).
func meetingSignupOpen(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Capacity *int   `json:"capacity"`
		Deadline string `json:"deadline"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	capacity := ""
	if in.Capacity != nil {
		capacity = strconv.Itoa(*in.Capacity)
	}
	sum, err := s.core.Meetings.OpenSignup(r.Context(), by, id, core.SignupInput{Capacity: capacity, Deadline: in.Deadline})
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, signupOf(sum))
	return nil
}

// meetingSignups is the meeting's sign-up with every deputy who signed up:
// confirmed, the waiting list in order, those who withdrew.
func meetingSignups(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	sum, rows, err := s.core.Meetings.Signups(r.Context(), by, id)
	if err != nil {
		return err
	}
	out := signupOf(sum)
	list := make([]signupRowJSON, len(rows))
	for i, row := range rows {
		list[i] = signupRowJSON{DeputyID: row.DeputyID, Name: row.DeputyName, Delegation: row.Delegation, Status: row.Status,
			StatusLabel: model.SignupLabel(row.Status), Position: row.Position, Channel: row.Channel, SignedAt: row.SignedAt.UTC()}
	}
	out.Signups = &list
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
