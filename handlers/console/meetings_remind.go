package console

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// meetingRemind reminds the invitees who have not answered, now.
func meetingRemind(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	n, err := s.core.Meetings.Remind(r.Context(), by, id)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("已向 %d 位未回复的代表发送提醒。", n)
	if n == 0 {
		msg = "没有待回复的代表。"
	}
	s.flash(r, msg)
	http.Redirect(w, r, fmt.Sprintf("/admin/meetings/%d", id), http.StatusSeeOther)
	return nil
}
