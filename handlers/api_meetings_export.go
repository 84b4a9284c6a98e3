package handlers

import (
	"net/http"

	"deputybot/core"
)

func init() { apiRoute(http.MethodGet, "/api/v1/meetings/{id}/export", editors, apiMeetingExport) }

// apiMeetingExport downloads the sign-in sheet (Excel).
func apiMeetingExport(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
	return s.exportSignInSheet(w, r, me)
}
