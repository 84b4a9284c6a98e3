package handlers

import (
	"time"

	"deputybot/core"
	"deputybot/model"
)

// apiMeeting is a meeting as the API shows it, with its RSVP counts and,
// on GET /api/v1/meetings/{id}, a page of its RSVP table.
type apiMeeting struct {
	ID               int64            `json:"id"`
	Kind             string           `json:"kind"`
	KindLabel        string           `json:"kind_label"`
	Title            string           `json:"title"`
	StartsAt         time.Time        `json:"starts_at"`
	EndsAt           *time.Time       `json:"ends_at"`
	Place            string           `json:"place"`
	Organiser        string           `json:"organiser"`
	Contact          string           `json:"contact"`
	RSVPDeadline     time.Time        `json:"rsvp_deadline"`
	CreatedAt        time.Time        `json:"created_at"`
	Invited          int              `json:"invited"`
	Counts           map[string]int   `json:"counts"`
	Attended         int              `json:"attended"`
	InvitationsTotal *int             `json:"invitations_total,omitempty"`
	Invitations      *[]apiInvitation `json:"invitations,omitempty"`
}

func apiMeetingOf(m model.MeetingSummary) apiMeeting {
	counts := map[string]int{model.RSVPAttend: 0, model.RSVPLeave: 0, model.RSVPPending: 0}
	for k, v := range m.Counts {
		counts[k] = v
	}
	return apiMeeting{ID: m.ID, Kind: m.Kind, KindLabel: core.MeetingKindLabel(m.Kind), Title: m.Title,
		StartsAt: m.StartsAt.UTC(), EndsAt: campaignTime(m.EndsAt), Place: m.Place, Organiser: m.Organiser,
		Contact: m.Contact, RSVPDeadline: m.RSVPDeadline.UTC(), CreatedAt: m.CreatedAt.UTC(), Invited: m.Invited,
		Counts: counts, Attended: m.Attended}
}

// apiInvitation is one line of a meeting's RSVP table.
type apiInvitation struct {
	DeputyID    int64      `json:"deputy_id"`
	Name        string     `json:"name"`
	Delegation  string     `json:"delegation"`
	Status      string     `json:"status"`
	StatusLabel string     `json:"status_label"`
	Reason      string     `json:"reason"`
	Channel     string     `json:"channel"`
	AnsweredAt  *time.Time `json:"answered_at"`
	Attended    *bool      `json:"attended"`
	InvitedAt   time.Time  `json:"invited_at"`
}

func apiInvitationOf(r model.InvitationRow) apiInvitation {
	out := apiInvitation{DeputyID: r.DeputyID, Name: r.DeputyName, Delegation: r.Delegation, Status: r.Status,
		StatusLabel: core.RSVPLabel(r.Status), Reason: r.Reason, Channel: r.Channel, AnsweredAt: campaignTime(r.AnsweredAt),
		InvitedAt: r.InvitedAt.UTC()}
	if r.Attended.Valid {
		b := r.Attended.Bool
		out.Attended = &b
	}
	return out
}

// apiMeetingInput is the body of POST /api/v1/meetings: times in RFC 3339
// (or "2006-01-02 15:04", the configured time zone).
type apiMeetingInput struct {
	Kind         string `json:"kind"`
	Title        string `json:"title"`
	StartsAt     string `json:"starts_at"`
	EndsAt       string `json:"ends_at"`
	Place        string `json:"place"`
	Organiser    string `json:"organiser"`
	Contact      string `json:"contact"`
	RSVPDeadline string `json:"rsvp_deadline"`
}
