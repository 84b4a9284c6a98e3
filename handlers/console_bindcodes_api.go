package handlers

import (
	"deputybot/model"
	"net/http"
	"time"
)

func init() {
	apiRoute(http.MethodPost, "/api/v1/deputies/{id}/bind-code", editors, apiDeputyBindCode)
	apiRoute(http.MethodPost, "/api/v1/deputies/{id}/unbind", editors, apiDeputyUnbind)
}

type apiBindCode struct {
	DeputyID  int64     `json:"deputy_id"`
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
	// Bound warns that the deputy is bound already: the code binds another
	// WeChat account only after an unbind.
	Bound bool `json:"bound"`
}

// apiDeputyBindCode issues a fresh binding code; the request body is ignored.
func apiDeputyBindCode(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	d, err := s.deputyOfPath(r)
	if err != nil {
		return err
	}
	code, expires, err := s.issueBindCode(r, me, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiBindCode{DeputyID: d.ID, Code: code, ExpiresAt: expires.UTC(), Bound: d.OpenID != ""})
	return nil
}

// apiDeputyUnbind removes the deputy's WeChat binding (409 when there is
// none) and returns the deputy.
func apiDeputyUnbind(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	d, err := s.deputyOfPath(r)
	if err != nil {
		return err
	}
	if err := s.unbindDeputy(r, me, d); err != nil {
		return err
	}
	if d, err = s.registry.Get(r.Context(), d.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiDeputyOf(forViewer(me, d)[0]))
	return nil
}
