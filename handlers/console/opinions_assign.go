package console

import (
	"fmt"
	"net/http"
	"strconv"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// opinionAssign gives an opinion to a staff account (the form on the
// opinion's page).
func opinionAssign(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	staffID, _ := strconv.ParseInt(r.PostFormValue("staff_id"), 10, 64)
	a, err := s.core.Opinions.Assign(r.Context(), by, id, staffID)
	if err != nil {
		return err
	}
	s.flash(r, "意见 "+a.Receipt+" 已指派给 "+a.StaffName+"。")
	http.Redirect(w, r, fmt.Sprintf("/admin/opinions/%d", id), http.StatusSeeOther)
	return nil
}
