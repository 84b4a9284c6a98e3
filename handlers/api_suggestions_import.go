package handlers

import (
	"deputybot/model"
	"errors"
	"net/http"
)

func init() { apiRoute(http.MethodPost, "/api/v1/suggestions/import", editors, apiSuggestionImport) }

type apiSuggestionImportReport struct {
	File    string        `json:"file"`
	Rows    int           `json:"rows"`
	Created int           `json:"created"`
	Errors  []apiRowError `json:"errors"`
}

// apiSuggestionImport imports the multipart field "file" (.xlsx or .csv).
// Any invalid row gives 422 with every row error, and nothing is written.
func apiSuggestionImport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	rep, name, err := s.importSuggestions(w, r, me)
	var he *httpError
	if errors.As(err, &he) && len(rep.Errors) > 0 {
		writeJSON(w, he.status, apiErrorBody{Error: he.msg, Rows: rowErrors(rep.Errors)})
		return nil
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiSuggestionImportReport{File: name, Rows: rep.Rows, Created: rep.Created, Errors: rowErrors(rep.Errors)})
	return nil
}
