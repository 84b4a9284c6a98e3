package handlers

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/meetings/new", editors, meetingNew)
	consoleRoute(http.MethodPost, "/admin/meetings", editors, meetingCreate)
}

type meetingFormView struct {
	Form   meetingForm
	Kinds  []campaignOption
	Errors fieldErrors
}

func (s *server) renderMeetingForm(w http.ResponseWriter, r *http.Request, me model.Account, status int, v meetingFormView) {
	v.Kinds = meetingKindOptions()
	s.render(w, r, status, "meeting_form", page{Title: "新建会议活动", Nav: "meetings", Me: me, Data: v})
}

func meetingNew(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	s.renderMeetingForm(w, r, me, http.StatusOK, meetingFormView{Form: meetingForm{Kind: "session"}})
	return nil
}

func meetingCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	f := parseMeetingForm(r.PostForm)
	m, pre := f.meeting(s.d.Loc)
	err := s.createMeeting(r.Context(), &m, pre)
	if fe, ok := campaignErrors(err); ok {
		s.renderMeetingForm(w, r, me, http.StatusUnprocessableEntity, meetingFormView{Form: f, Errors: fe})
		return nil
	} else if err != nil {
		return err
	}
	s.audit(r, me, "meeting.create", meetingObject(m.ID), meetingSummaryText(s, m))
	s.flash(r, "已新建会议活动。下一步：邀请代表。")
	http.Redirect(w, r, fmt.Sprintf("/admin/meetings/%d", m.ID), http.StatusSeeOther)
	return nil
}

func meetingSummaryText(s *server, m model.Meeting) string {
	return fmt.Sprintf("新建%s“%s”，%s，%s", core.MeetingKindLabel(m.Kind), m.Title, s.fmtTime(m.StartsAt), m.Place)
}
