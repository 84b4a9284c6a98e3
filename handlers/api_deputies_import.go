package handlers

import (
	"errors"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { apiRoute(http.MethodPost, "/api/v1/deputies/import", editors, apiDeputyImport) }

type apiImportReport struct {
	File      string        `json:"file"`
	Rows      int           `json:"rows"`
	Created   int           `json:"created"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Skipped   int           `json:"skipped"`
	Errors    []apiRowError `json:"errors"`
}

func rowErrors(errs []core.RowError) []apiRowError {
	out := make([]apiRowError, len(errs))
	for i, e := range errs {
		out[i] = apiRowError{Row: e.Row, Field: e.Field, Value: e.Value, Message: e.Msg}
	}
	return out
}

// apiDeputyImport imports the multipart field "file" (.xlsx or .csv);
// skip_invalid=true imports the valid rows. Invalid rows without it give
// 422 with every row error, and nothing is written.
func apiDeputyImport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	rep, name, err := s.importDeputies(w, r, me)
	var he *httpError
	if errors.As(err, &he) && len(rep.Errors) > 0 {
		writeJSON(w, he.status, apiErrorBody{Error: he.msg, Rows: rowErrors(rep.Errors)})
		return nil
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiImportReport{File: name, Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated,
		Unchanged: rep.Unchanged, Skipped: rep.Skipped, Errors: rowErrors(rep.Errors)})
	return nil
}
