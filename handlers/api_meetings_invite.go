package handlers

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { apiRoute(http.MethodPost, "/api/v1/meetings/{id}/invite", editors, apiMeetingInvite) }

type apiInviteResult struct {
	Invited        int `json:"invited"`
	AlreadyInvited int `json:"already_invited"`
}

// apiMeetingInvite invites the audience's deputies in office.
func apiMeetingInvite(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	m, err := s.meetingOfPath(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	var in struct {
		Audience model.Audience `json:"audience"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a := in.Audience
	if a.MeetingID == m.ID {
		return core.ValidationError{{Key: "meeting_id", Label: "会议活动", Msg: "不能按本会议活动的受邀代表再次邀请"}}
	}
	errs, err := s.checkCampaignAudience(ctx, a)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return errs
	}
	invited, considered, err := s.inviteAudience(ctx, m.ID, a)
	if invited > 0 {
		s.audit(r, me, "meeting.invite", meetingObject(m.ID), fmt.Sprintf("邀请代表参加“%s”：%s，新邀请 %d 位", m.Title,
			campaignAudienceSummary(a), invited))
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiInviteResult{Invited: invited, AlreadyInvited: considered - invited})
	return nil
}
