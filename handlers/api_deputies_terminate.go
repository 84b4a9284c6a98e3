package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
	"strings"
	"time"
)

func init() {
	apiRoute(http.MethodPost, "/api/v1/deputies/{id}/terminate", editors, apiDeputyTerminate)
}

type apiTermination struct {
	Date   string `json:"date"` // YYYY-MM-DD
	Reason string `json:"reason"`
}

func apiDeputyTerminate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	d, err := s.deputyOfPath(r)
	if err != nil {
		return err
	}
	var in apiTermination
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	on, errs := parseTermination(strings.TrimSpace(in.Date), true)
	if len(errs) > 0 {
		return errs
	}
	if err := s.registry.Terminate(r.Context(), d.ID, on, in.Reason); err != nil {
		return err
	}
	s.audit(r, me, "deputy.terminate", deputyObject(d), fmt.Sprintf("%s：代表资格终止于 %s，原因：%s", d.Name, on.Format(time.DateOnly), strings.TrimSpace(in.Reason)))
	d, err = s.registry.Get(r.Context(), d.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiDeputyOf(forViewer(me, d)[0]))
	return nil
}
