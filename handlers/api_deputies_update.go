package handlers

import (
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { apiRoute(http.MethodPut, "/api/v1/deputies/{id}", editors, apiDeputyUpdate) }

// apiDeputyUpdate changes the properties the body names; the others keep
// their values. Status is changed only by terminate.
func apiDeputyUpdate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	before, err := s.deputyOfPath(r)
	if err != nil {
		return err
	}
	var in apiDeputyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d := before
	d.Tags = append([]string(nil), before.Tags...)
	if err := s.storeDeputy(r.Context(), &d, in.apply(&d)); err != nil {
		return err
	}
	s.audit(r, me, "deputy.update", deputyObject(d), d.Name+"："+core.DeputyChanges(before, d))
	writeJSON(w, http.StatusOK, apiDeputyOf(d))
	return nil
}
