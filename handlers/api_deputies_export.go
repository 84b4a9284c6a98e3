package handlers

import (
	"net/http"

	"deputybot/core"
)

func init() { apiRoute(http.MethodGet, "/api/v1/deputies/export", editors, apiDeputyExport) }

// apiDeputyExport downloads the registry (format=xlsx or csv) filtered
// like GET /api/v1/deputies.
func apiDeputyExport(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
	return s.exportDeputies(w, r, me)
}
