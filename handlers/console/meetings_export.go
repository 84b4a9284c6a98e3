package console

import (
	"deputybot/handlers/httpkit"
	"net/http"

	"deputybot/core"
)

// meetingExport downloads the meeting's sign-in sheet (Excel).
func meetingExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	f, err := s.core.Meetings.SignInSheet(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
