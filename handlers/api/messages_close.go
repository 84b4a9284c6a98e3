package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

type messageCloseInput struct {
	Note string `json:"note"`
}

// messageClose ends a message; {"note": …} may say why (the body may be
// empty).
func messageClose(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in messageCloseInput
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	m, err := s.core.Messages.Close(r.Context(), by, id, in.Note)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, messageOf(m))
	return nil
}
