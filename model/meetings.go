package model

import (
	"database/sql"
	"time"
)

// Invitation statuses as stored.
const (
	RSVPPending = "pending"
	RSVPAttend  = "attend"
	RSVPLeave   = "leave"
)

// Meeting is a meeting or activity deputies are invited to.
type Meeting struct {
	ID           int64        `db:"id"`
	Kind         string       `db:"kind"`
	Title        string       `db:"title"`
	StartsAt     time.Time    `db:"starts_at"`
	EndsAt       sql.NullTime `db:"ends_at"`
	Place        string       `db:"place"`
	Organiser    string       `db:"organiser"`
	Contact      string       `db:"contact"`
	RSVPDeadline time.Time    `db:"rsvp_deadline"`
	CreatedAt    time.Time    `db:"created_at"`
}

// Invitation is one deputy's invitation to a meeting and their answer.
type Invitation struct {
	MeetingID  int64        `db:"meeting_id"`
	DeputyID   int64        `db:"deputy_id"`
	Status     string       `db:"status"`
	Reason     string       `db:"reason"`
	Channel    string       `db:"channel"`
	AnsweredAt sql.NullTime `db:"answered_at"`
	Attended   sql.NullBool `db:"attended"`
	InvitedAt  time.Time    `db:"invited_at"`
	Meeting    *Meeting     `db:"-"`
}
