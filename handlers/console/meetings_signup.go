package console

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// meetingSignup opens the meeting for sign-up (活动报名), or changes its
// places and deadline; a refused form comes back on the meeting's page
// with each problem beside its field.
func meetingSignup(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	in := core.SignupInput{Capacity: r.PostFormValue("capacity"), Deadline: r.PostFormValue("deadline")}
	sum, err := s.core.Meetings.OpenSignup(r.Context(), by, id, in)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderMeeting(w, r, by, http.StatusUnprocessableEntity, id, meetingView{SignupForm: in, SignupErrors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("已开放报名：名额 %d，已报名 %d 位，候补 %d 位。", sum.Window.Capacity, sum.Confirmed, sum.Waiting))
	http.Redirect(w, r, fmt.Sprintf("/admin/meetings/%d", id), http.StatusSeeOther)
	return nil
}
