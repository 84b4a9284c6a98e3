package console

import (
	"fmt"
	"net/http"

	"deputybot/core"
)

type meetingFormView struct {
	Form   core.MeetingInput
	Kinds  []option
	Errors fieldErrors
}

func (s *server) renderMeetingForm(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v meetingFormView) {
	v.Kinds = meetingKindOptions()
	s.render(w, r, status, "meeting_form", page{Title: "新建会议活动", Nav: "meetings", Me: by.Account, Data: v})
}

// meetingNew shows the empty form.
func meetingNew(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	s.renderMeetingForm(w, r, by, http.StatusOK, meetingFormView{Form: core.MeetingInput{Kind: "session"}})
	return nil
}

// meetingCreate stores the form's meeting, or shows the form again with
// each problem beside its field.
func meetingCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v := r.PostForm
	in := core.MeetingInput{Kind: v.Get("kind"), Title: v.Get("title"), StartsAt: v.Get("starts_at"), EndsAt: v.Get("ends_at"),
		Place: v.Get("place"), Organiser: v.Get("organiser"), Contact: v.Get("contact"), RSVPDeadline: v.Get("rsvp_deadline")}
	m, err := s.core.Meetings.Create(r.Context(), by, in)
	if fe, ok := fieldErrorsOf(err); ok {
		s.renderMeetingForm(w, r, by, http.StatusUnprocessableEntity, meetingFormView{Form: in, Errors: fe})
		return nil
	} else if err != nil {
		return err
	}
	s.flash(r, "已新建会议活动。下一步：邀请代表。")
	http.Redirect(w, r, fmt.Sprintf("/admin/meetings/%d", m.ID), http.StatusSeeOther)
	return nil
}
