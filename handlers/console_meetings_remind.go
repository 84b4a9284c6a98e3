package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() { consoleRoute(http.MethodPost, "/admin/meetings/{id}/remind", editors, meetingRemind) }

// meetingRemind reminds the invitees who have not answered, now.
func meetingRemind(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	m, err := s.meetingOfPath(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !s.d.Now().Before(m.RSVPDeadline) {
		return &httpError{http.StatusConflict, "回执已截止，不能再提醒代表回复。"}
	}
	n, err := s.remindPending(r.Context(), m)
	if n > 0 {
		s.audit(r, me, "meeting.remind", meetingObject(m.ID), fmt.Sprintf("提醒“%s”的 %d 位未回复代表", m.Title, n))
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("已向 %d 位未回复的代表发送提醒。", n)
	if n == 0 {
		msg = "没有待回复的代表。"
	}
	s.flash(r, msg)
	http.Redirect(w, r, fmt.Sprintf("/admin/meetings/%d", m.ID), http.StatusSeeOther)
	return nil
}
