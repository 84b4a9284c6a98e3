package handlers

import (
	"deputybot/model"
	"net/http"
)

func init() { apiRoute(http.MethodGet, "/api/v1/meetings/{id}/export", editors, apiMeetingExport) }

// apiMeetingExport downloads the sign-in sheet (Excel).
func apiMeetingExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.exportSignInSheet(w, r, me)
}
