package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// meetingAttendance records who attended and who did not
// ({"attended": […], "absent": […]}); deputies not named keep what was
// recorded.
func meetingAttendance(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Attended []int64 `json:"attended"`
		Absent   []int64 `json:"absent"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.core.Meetings.RecordAttendance(r.Context(), by, id, in.Attended, in.Absent); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]int{"attended": len(in.Attended), "absent": len(in.Absent)})
	return nil
}
