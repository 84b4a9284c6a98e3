package handlers

import (
	"deputybot/model"
	"net/http"
)

func init() { apiRoute(http.MethodGet, "/api/v1/deputies/export", editors, apiDeputyExport) }

// apiDeputyExport downloads the registry (format=xlsx or csv) filtered
// like GET /api/v1/deputies.
func apiDeputyExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.exportDeputies(w, r, me)
}
