package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// meetingAttendance records who attended and who did not
// ({"attended": […], "absent": […], "none_attended": true to confirm that
// nobody attended}); deputies not named keep what was recorded.
func meetingAttendance(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Attended []int64 `json:"attended"`
		Absent   []int64 `json:"absent"`
		// NoneAttended confirms a save that marks nobody present.
		NoneAttended bool `json:"none_attended"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	fixed, err := s.core.Meetings.RecordAttendance(r.Context(), by, id, core.Attendance{Present: in.Attended, Absent: in.Absent, NoneAttended: in.NoneAttended})
	if err != nil {
		return err
	}
	if fixed == nil {
		fixed = []string{}
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"attended": len(in.Attended), "absent": len(in.Absent), "corrected": fixed})
	return nil
}
