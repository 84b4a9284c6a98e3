package api

import (
	"database/sql"
	"net/url"
	"strconv"
	"time"

	"deputybot/model"
)

// The JSON of the meeting, sit-in and performance-record routes, and what
// their handlers share.

// meeting is a meeting as the API shows it, with its RSVP counts and, on
// GET /api/v1/meetings/{id}, a page of its RSVP table.
type meeting struct {
	ID               int64          `json:"id"`
	Kind             string         `json:"kind"`
	KindLabel        string         `json:"kind_label"`
	Title            string         `json:"title"`
	StartsAt         time.Time      `json:"starts_at"`
	EndsAt           *time.Time     `json:"ends_at"`
	Place            string         `json:"place"`
	Organiser        string         `json:"organiser"`
	Contact          string         `json:"contact"`
	RSVPDeadline     time.Time      `json:"rsvp_deadline"`
	CreatedAt        time.Time      `json:"created_at"`
	Invited          int            `json:"invited"`
	Counts           map[string]int `json:"counts"`
	Attended         int            `json:"attended"`
	Signup           *signupJSON    `json:"signup,omitempty"`
	InvitationsTotal *int           `json:"invitations_total,omitempty"`
	Invitations      *[]invitation  `json:"invitations,omitempty"`
}

func meetingOf(m model.MeetingSummary) meeting {
	counts := map[string]int{model.RSVPAttend: 0, model.RSVPLeave: 0, model.RSVPPending: 0}
	for k, v := range m.Counts {
		counts[k] = v
	}
	return meeting{ID: m.ID, Kind: m.Kind, KindLabel: m.KindLabel(), Title: m.Title,
		StartsAt: m.StartsAt.UTC(), EndsAt: nullTime(m.EndsAt), Place: m.Place, Organiser: m.Organiser,
		Contact: m.Contact, RSVPDeadline: m.RSVPDeadline.UTC(), CreatedAt: m.CreatedAt.UTC(), Invited: m.Invited,
		Counts: counts, Attended: m.Attended, Signup: signupPtr(m.Signup)}
}

func signupPtr(su *model.SignupSummary) *signupJSON {
	if su == nil {
		return nil
	}
	out := signupOf(*su)
	return &out
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// invitation is one line of a meeting's RSVP table.
type invitation struct {
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

func invitationOf(r model.InvitationRow) invitation {
	out := invitation{DeputyID: r.DeputyID, Name: r.DeputyName, Delegation: r.Delegation, Status: r.Status,
		StatusLabel: r.StatusLabel(), Reason: r.Reason, Channel: r.Channel, AnsweredAt: nullTime(r.AnsweredAt),
		InvitedAt: r.InvitedAt.UTC()}
	if r.Attended.Valid {
		b := r.Attended.Bool
		out.Attended = &b
	}
	return out
}

// deputy is a deputy as the sit-in and record routes show one: the
// same properties as the deputy routes.
type deputy struct {
	ID                int64      `json:"id"`
	Name              string     `json:"name"`
	Gender            string     `json:"gender"`
	Ethnicity         string     `json:"ethnicity"`
	BirthDate         string     `json:"birth_date,omitempty"`
	Delegation        string     `json:"delegation"`
	Level             string     `json:"level"`
	Grassroots        bool       `json:"grassroots"`
	Occupation        string     `json:"occupation"`
	ProfessionalGroup string     `json:"professional_group"`
	Phone             string     `json:"phone"`
	Status            string     `json:"status"`
	TerminatedOn      string     `json:"terminated_on,omitempty"`
	TerminationReason string     `json:"termination_reason,omitempty"`
	Bound             bool       `json:"bound"`
	BoundAt           *time.Time `json:"bound_at,omitempty"`
	Tags              []string   `json:"tags"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func deputyOf(d model.Deputy) deputy {
	tags := d.Tags
	if tags == nil {
		tags = []string{}
	}
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.DateOnly)
	}
	return deputy{ID: d.ID, Name: d.Name, Gender: d.Gender, Ethnicity: d.Ethnicity, BirthDate: day(d.BirthDate),
		Delegation: d.Delegation, Level: d.Level, Grassroots: d.Grassroots, Occupation: d.Occupation,
		ProfessionalGroup: d.ProfessionalGroup, Phone: d.Phone, Status: d.Status, TerminatedOn: day(d.TerminatedOn),
		TerminationReason: d.TerminationReason, Bound: d.OpenID != "", BoundAt: d.BoundAt, Tags: tags,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// pageOf reads ?page=, from 1; anything else is the first page.
func pageOf(q url.Values) int {
	p, _ := strconv.Atoi(q.Get("page"))
	return min(max(p, 1), 100000)
}

// perPageOf reads ?per_page=, 1 to most, def when absent.
func perPageOf(q url.Values, def, most int) (int, error) {
	v := q.Get("per_page")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return 0, badRequest("per_page 应为 1 到 " + strconv.Itoa(most) + " 之间的整数")
	}
	return n, nil
}
