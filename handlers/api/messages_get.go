package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

type messageThread struct {
	message
	ReplyList []messageReply `json:"reply_list"`
}

// messageGet shows a message with its replies and how each reached the
// sender.
func messageGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := s.core.Messages.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	out := messageThread{message: messageOf(t.Message), ReplyList: []messageReply{}}
	for _, rp := range t.Replies {
		out.ReplyList = append(out.ReplyList, messageReplyOf(rp))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
