package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
	"strconv"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/meetings/{id}/attendance", editors, meetingAttendance)
}

// meetingAttendance records the page's checkboxes: the deputies shown and
// ticked attended, those shown and not ticked did not.
func meetingAttendance(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	m, err := s.meetingOfPath(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	ticked := map[int64]bool{}
	for _, v := range r.PostForm["attended"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return badRequest("签到名单有误，请刷新页面后重试。")
		}
		ticked[id] = true
	}
	var present, absent []int64
	for _, v := range r.PostForm["shown"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return badRequest("签到名单有误，请刷新页面后重试。")
		}
		if ticked[id] {
			present = append(present, id)
			delete(ticked, id)
		} else {
			absent = append(absent, id)
		}
	}
	for id := range ticked { // ticked without being shown: still a mark
		present = append(present, id)
	}
	missing, err := s.d.DB.SetAttendance(r.Context(), m.ID, present, absent)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return badRequest("有 %d 位代表未被邀请参加此会议活动，签到未保存。请刷新页面后重试。", len(missing))
	}
	s.audit(r, me, "meeting.attendance", meetingObject(m.ID), fmt.Sprintf("“%s”签到：到会 %d 位，缺席 %d 位", m.Title, len(present), len(absent)))
	s.flash(r, fmt.Sprintf("已保存签到：到会 %d 位，缺席 %d 位。", len(present), len(absent)))
	back := adminNext(r.PostFormValue("back"))
	if back == "/admin/" {
		back = fmt.Sprintf("/admin/meetings/%d", m.ID)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
