package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type inviteResult struct {
	Invited        int `json:"invited"`
	AlreadyInvited int `json:"already_invited"`
}

// meetingInvite invites the audience's deputies in office
// ({"audience": {…}}).
func meetingInvite(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Audience model.Audience `json:"audience"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	done, err := s.core.Meetings.Invite(r.Context(), by, id, in.Audience)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, inviteResult{Invited: done.Invited, AlreadyInvited: done.AlreadyInvited})
	return nil
}
