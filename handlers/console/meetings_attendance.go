package console

import (
	"fmt"
	"net/http"

	"deputybot/core"
)

// meetingAttendance records the page's checkboxes: the deputies shown and
// ticked attended, those shown and not ticked did not.
func meetingAttendance(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := pathID(r)
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
	if err := s.core.Meetings.RecordAttendance(r.Context(), by, id, present, absent); err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("已保存签到：到会 %d 位，缺席 %d 位。", len(present), len(absent)))
	http.Redirect(w, r, backTo(r.PostFormValue("back"), fmt.Sprintf("/admin/meetings/%d", id)), http.StatusSeeOther)
	return nil
}
