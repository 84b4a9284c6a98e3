package console

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// messageClose ends a message, with an optional note.
func messageClose(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	note := r.PostFormValue("note")
	m, err := s.core.Messages.Close(r.Context(), by, id, note)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderMessage(w, r, by, http.StatusUnprocessableEntity, id, messageView{CloseNote: note, Errors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, "留言 "+m.Receipt+" 已关闭。")
	http.Redirect(w, r, fmt.Sprintf("/admin/messages/%d", id), http.StatusSeeOther)
	return nil
}
