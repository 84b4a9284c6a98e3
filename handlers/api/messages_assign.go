package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

type messageAssignInput struct {
	StaffID int64 `json:"staff_id"`
}

// messageAssign gives a message to an enabled admin or staff account
// ({"staff_id": …}).
func messageAssign(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in messageAssignInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.core.Messages.Assign(r.Context(), by, id, in.StaffID)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, messageOf(m))
	return nil
}
