package console

import (
	"net/http"
	"strings"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type messageReplyLine struct {
	StaffName, At             string
	Paras                     []string
	Delivery, Channel, Reason string
}

type messageView struct {
	M         model.Message
	Sender    string
	Kind      string
	Status    string
	Body      []string
	Replies   []messageReplyLine
	Files     []model.File    // the photo or voice audio sent with it
	Staff     []model.Account // whom it can be assigned to
	Open      bool            // not closed: it takes replies and assignment
	Form      string          // the reply typed, shown again when refused
	CloseNote string
	Errors    fieldErrors
}

// lines splits a text into its lines, blank ones dropped.
func lines(text string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// channelLabel names how a reply was pushed.
func channelLabel(c string) string {
	switch c {
	case "custom":
		return "客服消息"
	case "template":
		return "模板消息"
	}
	return c
}

// messageShow is one message with its replies, and the forms to assign,
// answer and close it.
func messageShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	return s.renderMessage(w, r, by, http.StatusOK, id, messageView{})
}

// renderMessage shows the message id with v's form and errors.
func (s *server) renderMessage(w http.ResponseWriter, r *http.Request, by core.Actor, status int, id int64, v messageView) error {
	t, err := s.core.Messages.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	m := t.Message
	v.M, v.Sender, v.Kind, v.Status = m, m.SenderName(), model.MessageKindLabel(m.Kind), m.StatusLabel()
	v.Body, v.Open, v.Files = lines(m.Body), m.Status != model.MessageClosed, t.Files
	for _, rp := range t.Replies {
		v.Replies = append(v.Replies, messageReplyLine{StaffName: rp.StaffName, At: s.fmtTime(rp.CreatedAt), Paras: lines(rp.Body),
			Delivery: orDefault(model.DeliveryLabel(rp.DeliveryStatus), "—"), Channel: channelLabel(rp.DeliveryChannel),
			Reason: rp.DeliveryReason})
	}
	if v.Staff, err = s.core.Messages.Assignees(r.Context(), by); err != nil {
		return err
	}
	s.render(w, r, status, "message", page{Title: "留言 " + m.Receipt, Nav: "messages", Me: by.Account, Data: v})
	return nil
}
