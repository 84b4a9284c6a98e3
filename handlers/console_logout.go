package handlers

import (
	"net/http"

	"deputybot/core"
)

func init() { consoleRoute(http.MethodPost, logoutPath, everyone, logout) }

func logout(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, loginPath, http.StatusSeeOther)
	return nil
}
