package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// meetingExport downloads the sign-in sheet (Excel).
func meetingExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return httpkit.ExportByID(w, r, by, s.core.Meetings.SignInSheet)
}
