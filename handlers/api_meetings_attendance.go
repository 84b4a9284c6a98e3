package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodPost, "/api/v1/meetings/{id}/attendance", editors, apiMeetingAttendance)
}

// apiMeetingAttendance records who attended and who did not; deputies not
// named keep what was recorded. Nothing is written if anyone named was not
// invited.
func apiMeetingAttendance(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	m, err := s.meetingOfPath(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var in struct {
		Attended []int64 `json:"attended"`
		Absent   []int64 `json:"absent"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if len(in.Attended)+len(in.Absent) == 0 {
		return core.ValidationError{{Key: "attended", Label: "签到", Msg: "attended 和 absent 不能都为空"}}
	}
	missing, err := s.d.DB.SetAttendance(r.Context(), m.ID, in.Attended, in.Absent)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		ids := make([]string, len(missing))
		for i, id := range missing {
			ids[i] = strconv.FormatInt(id, 10)
		}
		return core.ValidationError{{Key: "attended", Label: "签到", Msg: "这些代表未被邀请：" + strings.Join(ids, "、")}}
	}
	s.audit(r, me, "meeting.attendance", meetingObject(m.ID), fmt.Sprintf("“%s”签到：到会 %d 位，缺席 %d 位", m.Title, len(in.Attended), len(in.Absent)))
	writeJSON(w, http.StatusOK, map[string]int{"attended": len(in.Attended), "absent": len(in.Absent)})
	return nil
}
