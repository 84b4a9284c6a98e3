package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/meetings/{id}/invite", editors, meetingInviteForm)
	consoleRoute(http.MethodPost, "/admin/meetings/{id}/invite", editors, meetingInvite)
}

// meetingInviteView is the invite page: the audience builder with its count.
type meetingInviteView struct {
	Meeting     model.Meeting
	Form        campaignForm // only Aud is used
	Errors      fieldErrors
	Delegations []string
	Tags        []string
	Count       *campaignAudienceCount
}

func (s *server) renderMeetingInvite(w http.ResponseWriter, r *http.Request, me model.Account, status int, v meetingInviteView) error {
	var err error
	if v.Delegations, v.Tags, err = s.campaignAudienceChoices(r); err != nil {
		return err
	}
	s.render(w, r, status, "meeting_invite", page{Title: "邀请代表", Nav: "meetings", Me: me, Data: v})
	return nil
}

func meetingInviteForm(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	m, err := s.meetingOfPath(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderMeetingInvite(w, r, me, http.StatusOK, meetingInviteView{Meeting: m})
}

// meetingInvite counts the audience (preview) or invites it.
func meetingInvite(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	m, err := s.meetingOfPath(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	v := meetingInviteView{Meeting: m, Form: campaignForm{Aud: parseCampaignAudienceForm(r.PostForm)}}
	v.Form.Aud.MeetingID = 0 // inviting a meeting's own invitees makes no sense
	a, errs := v.Form.Aud.audience()
	aerrs, err := s.checkCampaignAudience(ctx, a)
	if err != nil {
		return err
	}
	if errs = append(errs, aerrs...); len(errs) > 0 {
		v.Errors, _ = campaignErrors(errs)
		return s.renderMeetingInvite(w, r, me, http.StatusUnprocessableEntity, v)
	}
	if r.PostFormValue("action") != "invite" {
		c, err := s.countCampaignAudience(ctx, a)
		if err != nil {
			return err
		}
		v.Count = &c
		return s.renderMeetingInvite(w, r, me, http.StatusOK, v)
	}
	invited, considered, err := s.inviteAudience(ctx, m.ID, a)
	if invited > 0 {
		// Batches already committed stay invited even if a later one failed.
		s.audit(r, me, "meeting.invite", meetingObject(m.ID), fmt.Sprintf("邀请代表参加“%s”：%s，新邀请 %d 位", m.Title,
			campaignAudienceSummary(a), invited))
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("已邀请 %d 位代表，邀请通知已进入发送队列。", invited)
	if again := considered - invited; again > 0 {
		msg += fmt.Sprintf("另有 %d 位此前已邀请，未重复发送。", again)
	}
	if considered == 0 {
		msg = "所选条件下没有在任代表，未邀请任何人。"
	}
	s.flash(r, msg)
	http.Redirect(w, r, fmt.Sprintf("/admin/meetings/%d", m.ID), http.StatusSeeOther)
	return nil
}
