package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// meetingRemind reminds the invitees who have not answered, now.
func meetingRemind(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	n, err := s.core.Meetings.Remind(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]int{"reminded": n})
	return nil
}
