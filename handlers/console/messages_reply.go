package console

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// messageReply answers a message (the form on its page); a refused answer
// shows the page again with the text and the reason.
func messageReply(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	text := r.PostFormValue("text")
	_, err = s.core.Messages.Reply(r.Context(), by, id, text)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderMessage(w, r, by, http.StatusUnprocessableEntity, id, messageView{Form: text, Errors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, "答复已保存，正在推送给留言人。")
	http.Redirect(w, r, fmt.Sprintf("/admin/messages/%d", id), http.StatusSeeOther)
	return nil
}
