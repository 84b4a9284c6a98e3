package handlers

import (
	"deputybot/model"
	"net/http"
)

func init() { apiRoute(http.MethodGet, "/api/v1/deputies/{id}", viewers, apiDeputyGet) }

func apiDeputyGet(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	d, err := s.deputyOfPath(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiDeputyOf(forViewer(me, d)[0]))
	return nil
}
