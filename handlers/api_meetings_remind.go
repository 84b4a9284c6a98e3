package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() { apiRoute(http.MethodPost, "/api/v1/meetings/{id}/remind", editors, apiMeetingRemind) }

// apiMeetingRemind reminds the invitees who have not answered, now.
func apiMeetingRemind(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	m, err := s.meetingOfPath(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !s.d.Now().Before(m.RSVPDeadline) {
		return &httpError{http.StatusConflict, "回执已截止，不能再提醒代表回复"}
	}
	n, err := s.remindPending(r.Context(), m)
	if n > 0 {
		s.audit(r, me, "meeting.remind", meetingObject(m.ID), fmt.Sprintf("提醒“%s”的 %d 位未回复代表", m.Title, n))
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"reminded": n})
	return nil
}
