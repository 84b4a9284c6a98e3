package console

import (
	"fmt"
	"net/http"
	"strconv"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// messageAssign gives a message to a colleague (the form on its page).
func messageAssign(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	staffID, _ := strconv.ParseInt(r.PostFormValue("staff_id"), 10, 64)
	m, err := s.core.Messages.Assign(r.Context(), by, id, staffID)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderMessage(w, r, by, http.StatusUnprocessableEntity, id, messageView{Errors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, "留言 "+m.Receipt+" 已指派给 "+m.AssigneeName+"。")
	http.Redirect(w, r, fmt.Sprintf("/admin/messages/%d", id), http.StatusSeeOther)
	return nil
}
