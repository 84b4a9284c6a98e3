package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() { apiRoute(http.MethodPost, "/api/v1/opinions/{id}/close", editors, apiOpinionClose) }

// apiOpinionClose marks an opinion handled (已办结) and answers with it.
func apiOpinionClose(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	o, err := s.opinionOfPath(r)
	if err != nil {
		return err
	}
	if err := s.opinions().Close(r.Context(), o.ID); err != nil {
		return err
	}
	s.audit(r, me, "opinion.close", opinionObject(o), fmt.Sprintf("意见 %s 标记为已办结", o.Receipt))
	after, err := s.opinions().Get(r.Context(), o.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiOpinionOf(after))
	return nil
}
