package console

import (
	"fmt"
	"net/http"
	"strings"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// attendanceConfirmView asks to confirm a sign-in that marks nobody
// present, carrying the save to repeat.
type attendanceConfirmView struct {
	Meeting model.Meeting
	Absent  []int64
	Back    string
	Message string
}

// meetingAttendance records the page's checkboxes: the deputies shown and
// ticked attended, those shown and not ticked did not.
func meetingAttendance(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	ticked, ok := parseIDs(r.PostForm["attended"])
	shown, ok2 := parseIDs(r.PostForm["shown"])
	if !ok || !ok2 {
		return badInput("签到名单有误，请刷新页面后重试。")
	}
	isTicked := map[int64]bool{}
	for _, id := range ticked {
		isTicked[id] = true
	}
	var present, absent []int64
	for _, id := range shown {
		if isTicked[id] {
			present = append(present, id)
			delete(isTicked, id)
		} else {
			absent = append(absent, id)
		}
	}
	for _, id := range ticked { // ticked without being shown: still a mark
		if isTicked[id] {
			present = append(present, id)
			delete(isTicked, id)
		}
	}
	in := core.Attendance{Present: present, Absent: absent, NoneAttended: r.PostFormValue("none_attended") == "1"}
	fixed, err := s.core.Meetings.RecordAttendance(r.Context(), by, id, in)
	if errs, ok := fieldErrorsOf(err); ok && errs["none_attended"] != "" {
		// Nobody ticked: the same save again, once confirmed.
		m, err := s.core.Meetings.Get(r.Context(), by, id)
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusUnprocessableEntity, "meeting_attendance_confirm", page{Title: "确认无人到会", Nav: "meetings", Me: by.Account,
			Data: attendanceConfirmView{Meeting: m, Absent: absent, Back: r.PostFormValue("back"), Message: errs["none_attended"]}})
		return nil
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("已保存签到：到会 %d 位，缺席 %d 位。", len(present), len(absent))
	if len(fixed) > 0 {
		msg += fmt.Sprintf("更正 %d 位：%s。", len(fixed), strings.Join(fixed, "，"))
	}
	s.flash(r, msg)
	http.Redirect(w, r, backTo(r.PostFormValue("back"), fmt.Sprintf("/admin/meetings/%d", id)), http.StatusSeeOther)
	return nil
}
