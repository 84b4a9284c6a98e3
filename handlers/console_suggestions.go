package handlers

import (
	"errors"
	"net/http"

	"deputybot/core"
)

// What the routes not yet moved still share for reading forms and writing
// validation errors.

// maxTextForm bounds a form carrying long text (a reply of 20,000
// characters is 180 kB once URL-encoded).
const maxTextForm = 1 << 20

// parseTextForm reads a url-encoded form of at most maxTextForm bytes.
func parseTextForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxTextForm)
	return r.ParseForm() == nil
}

// mapKeys looks field names up in m.
func mapKeys(m map[string]string) func(string) string {
	return func(f string) string { return m[f] }
}

// writeAPIValidation answers a validation error with 422 and the fields at
// fault named by keys; it returns any other error unchanged (nil once
// written).
func writeAPIValidation(w http.ResponseWriter, err error, keys func(string) string) error {
	var verr core.ValidationError
	var ferr *core.FieldError
	switch {
	case errors.As(err, &verr):
	case errors.As(err, &ferr):
		verr = core.ValidationError{ferr}
	default:
		return err
	}
	body := apiErrorBody{Error: "数据有误，请按 fields 修改后重试"}
	for _, e := range verr {
		key := e.Key
		if key == "" {
			key = keys(e.Label)
		}
		body.Fields = append(body.Fields, apiFieldError{Field: key, Label: e.Label, Message: e.Msg})
	}
	writeJSON(w, http.StatusUnprocessableEntity, body)
	return nil
}
