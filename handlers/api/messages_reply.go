package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

type messageReplyInput struct {
	Text string `json:"text"`
}

// messageReplyPost answers a message ({"text": …}); the answer is pushed to
// the sender.
func messageReplyPost(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in messageReplyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rp, err := s.core.Messages.Reply(r.Context(), by, id, in.Text)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusCreated, messageReplyOf(rp))
	return nil
}
