package h5

import (
	"context"
	"errors"

	"deputybot/core"
	"deputybot/model"
)

// refMessage is the RefKind of the push taking staff's answer to a
// message (留言) to the follower who left it.
const refMessage = core.RefMessage

// h5Message is a message and its answers, as its sender reads them.
type h5Message struct {
	Receipt, Status, Submitted string
	BodyParas                  []string
	Replies                    []h5MessageReply
}

type h5MessageReply struct {
	At    string
	Paras []string
}

// messageSection shows the follower by the message they left and every
// answer to it; anyone else gets the note only.
func (h *server) messageSection(ctx context.Context, s *h5Section, by core.Actor, id int64) error {
	t, err := h.d.Services.Messages.OfSender(ctx, by, id)
	if errors.Is(err, model.ErrForbidden) {
		s.NotYours, s.Note = true, "该留言不是您发送的，无法查看。"
		return nil
	}
	if err != nil {
		return err
	}
	m := t.Message
	v := &h5Message{Receipt: m.Receipt, Status: m.StatusLabel(), Submitted: h.fmtTime(m.CreatedAt), BodyParas: paragraphs(m.Body)}
	for _, r := range t.Replies {
		v.Replies = append(v.Replies, h5MessageReply{At: h.fmtTime(r.CreatedAt), Paras: paragraphs(r.Body)})
	}
	s.Message = v
	return nil
}
