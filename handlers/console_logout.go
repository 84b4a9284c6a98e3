package handlers

import (
	"deputybot/model"
	"net/http"
)

func init() { consoleRoute(http.MethodPost, logoutPath, everyone, logout) }

func logout(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, loginPath, http.StatusSeeOther)
	return nil
}
