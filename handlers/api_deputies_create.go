package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() { apiRoute(http.MethodPost, "/api/v1/deputies", editors, apiDeputyCreate) }

func apiDeputyCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in apiDeputyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var d model.Deputy
	if err := s.storeDeputy(r.Context(), &d, in.apply(&d)); err != nil {
		return err
	}
	s.audit(r, me, "deputy.create", deputyObject(d), fmt.Sprintf("新增代表 %s（%s）", d.Name, d.Delegation))
	w.Header().Set("Location", fmt.Sprintf("/api/v1/deputies/%d", d.ID))
	writeJSON(w, http.StatusCreated, apiDeputyOf(d))
	return nil
}
