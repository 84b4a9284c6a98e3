package api

import (
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

type opinionAssignInput struct {
	StaffID int64 `json:"staff_id"`
}

type opinionAssignment struct {
	OpinionID  int64     `json:"opinion_id"`
	Receipt    string    `json:"receipt"`
	StaffID    int64     `json:"staff_id"`
	StaffName  string    `json:"staff_name"`
	AssignedBy string    `json:"assigned_by"`
	AssignedAt time.Time `json:"assigned_at"`
}

// opinionAssign gives an opinion to an enabled admin or staff account
// ({"staff_id": …}, the account's id as GET /api/v1/me shows it).
func opinionAssign(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in opinionAssignInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.core.Opinions.Assign(r.Context(), by, id, in.StaffID)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, opinionAssignment{OpinionID: a.OpinionID, Receipt: a.Receipt, StaffID: a.StaffID,
		StaffName: a.StaffName, AssignedBy: a.AssignedBy, AssignedAt: a.AssignedAt})
	return nil
}
