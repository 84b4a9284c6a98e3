package handlers

import (
	"errors"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodPost, "/api/v1/opinions/{id}/adopt", editors, apiOpinionAdopt)
}

type apiOpinionAdoptInput struct {
	Note string `json:"note"`
}

type apiOpinionAdoption struct {
	OpinionID int64     `json:"opinion_id"`
	Receipt   string    `json:"receipt"`
	Adopted   bool      `json:"adopted"` // false when it was adopted before
	AdoptedBy string    `json:"adopted_by"`
	AdoptedAt time.Time `json:"adopted_at"`
	Note      string    `json:"note"`
}

// apiOpinionAdopt marks an opinion on a draft regulation adopted
// ({"note": …} optional, the body may be empty); its author is told.
func apiOpinionAdopt(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	o, err := s.opinionOfPath(r)
	if err != nil {
		return err
	}
	var in apiOpinionAdoptInput
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	svc := s.opinions()
	adopted, err := svc.Adopt(r.Context(), o.ID, me.Username, in.Note)
	if ve := (core.ValidationError)(nil); errors.As(err, &ve) {
		return writeAPIValidation(w, ve, mapKeys(map[string]string{"采纳说明": "note", "意见": "id"}))
	} else if err != nil {
		return err
	}
	if adopted {
		s.audit(r, me, "opinion.adopt", opinionObject(o), "意见 "+o.Receipt+" 标记为已采纳")
	}
	a, err := svc.Adoption(r.Context(), o.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiOpinionAdoption{OpinionID: o.ID, Receipt: o.Receipt, Adopted: adopted,
		AdoptedBy: a.AdoptedBy, AdoptedAt: a.AdoptedAt, Note: a.Note})
	return nil
}
