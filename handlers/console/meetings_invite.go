package console

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

// meetingInviteView is the invite page: the audience builder with its count.
type meetingInviteView struct {
	Meeting     model.Meeting
	Form        struct{ Aud audienceForm }
	Errors      fieldErrors
	Delegations []string
	Tags        []string
	Count       *core.AudienceCount
}

func (s *server) renderMeetingInvite(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v meetingInviteView) error {
	var err error
	if v.Delegations, v.Tags, err = s.core.Meetings.AudienceChoices(r.Context(), by); err != nil {
		return err
	}
	s.render(w, r, status, "meeting_invite", page{Title: "邀请代表", Nav: "meetings", Me: by.Account, Data: v})
	return nil
}

// meetingInviteForm shows the audience builder.
func meetingInviteForm(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	m, err := s.meetingOfPath(r, by)
	if err != nil {
		return err
	}
	return s.renderMeetingInvite(w, r, by, http.StatusOK, meetingInviteView{Meeting: m})
}

// meetingInvite counts the audience (action=preview) or invites it
// (action=invite).
func meetingInvite(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ctx := r.Context()
	m, err := s.meetingOfPath(r, by)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	v := meetingInviteView{Meeting: m}
	v.Form.Aud = parseAudienceForm(r.PostForm)
	a, err := v.Form.Aud.audience()
	if err == nil {
		if r.PostFormValue("action") != "invite" {
			var c core.AudienceCount
			if c, err = s.core.Meetings.CountAudience(ctx, by, m.ID, a); err == nil {
				v.Count = &c
				return s.renderMeetingInvite(w, r, by, http.StatusOK, v)
			}
		} else {
			var done core.Invited
			if done, err = s.core.Meetings.Invite(ctx, by, m.ID, a); err == nil {
				msg := fmt.Sprintf("已邀请 %d 位代表，邀请通知已进入发送队列。", done.Invited)
				if done.AlreadyInvited > 0 {
					msg += fmt.Sprintf("另有 %d 位此前已邀请，未重复发送。", done.AlreadyInvited)
				}
				if done.Invited+done.AlreadyInvited == 0 {
					msg = "所选条件下没有在任代表，未邀请任何人。"
				}
				s.flash(r, msg)
				http.Redirect(w, r, fmt.Sprintf("/admin/meetings/%d", m.ID), http.StatusSeeOther)
				return nil
			}
		}
	}
	if fe, ok := fieldErrorsOf(err); ok {
		v.Errors = fe
		return s.renderMeetingInvite(w, r, by, http.StatusUnprocessableEntity, v)
	}
	return err
}
