package console

import (
	"deputybot/handlers/httpkit"
	"net/http"

	"deputybot/core"
)

// meetingExport downloads the meeting's sign-in sheet (Excel).
func meetingExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return httpkit.ExportByID(w, r, by, s.core.Meetings.SignInSheet)
}
