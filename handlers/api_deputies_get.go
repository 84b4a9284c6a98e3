package handlers

import (
	"net/http"

	"deputybot/core"
)

func init() { apiRoute(http.MethodGet, "/api/v1/deputies/{id}", viewers, apiDeputyGet) }

func apiDeputyGet(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
	d, err := s.deputyOfPath(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiDeputyOf(forViewer(me, d)[0]))
	return nil
}
