package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

type messageThread struct {
	message
	ReplyList []messageReply `json:"reply_list"`
	// Attachments are the photo or the voice audio sent with it.
	Attachments []file `json:"attachments"`
}

// messageGet shows a message with its replies and how each reached the
// sender.
func messageGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	t, err := s.core.Messages.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	out := messageThread{message: messageOf(t.Message), ReplyList: []messageReply{}, Attachments: []file{}}
	out.Attachments = append(out.Attachments, filesOf(t.Files)...)
	for _, rp := range t.Replies {
		out.ReplyList = append(out.ReplyList, messageReplyOf(rp))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
