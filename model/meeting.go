package model

import (
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Meeting kinds as stored: the meetings and activities deputies are
// invited to.
const (
	MeetingSession    = "session"    // 列席常委会会议
	MeetingResearch   = "research"   // 专题调研
	MeetingInspection = "inspection" // 集中视察
	MeetingStation    = "station"    // 代表联络站接待
	MeetingStudy      = "study"      // 学习班
	MeetingExchange   = "exchange"   // 履职交流会
)

// MeetingKinds lists the kinds in the order forms and filters offer them.
var MeetingKinds = []string{MeetingSession, MeetingResearch, MeetingInspection, MeetingStation, MeetingStudy, MeetingExchange}

var meetingKindLabels = map[string]string{
	MeetingSession:    "列席常委会会议",
	MeetingResearch:   "专题调研",
	MeetingInspection: "集中视察",
	MeetingStation:    "代表联络站接待",
	MeetingStudy:      "学习班",
	MeetingExchange:   "履职交流会",
}

// IsMeetingKind reports whether kind is one of MeetingKinds.
func IsMeetingKind(kind string) bool { return slices.Contains(MeetingKinds, kind) }

// MeetingKindLabel returns a kind's Chinese name (the kind itself when
// unknown).
func MeetingKindLabel(kind string) string {
	if l, ok := meetingKindLabels[kind]; ok {
		return l
	}
	return kind
}

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

// Object names the meeting in the audit log.
func (m Meeting) Object() string { return fmt.Sprintf("meeting/%d", m.ID) }

// KindLabel is the meeting's kind in Chinese.
func (m Meeting) KindLabel() string { return MeetingKindLabel(m.Kind) }

// IsSession reports whether the meeting is a standing-committee session:
// the only kind deputies are proposed to sit in on (列席).
func (m Meeting) IsSession() bool { return m.Kind == MeetingSession }

// RSVPOpenAt reports whether invitees may still answer at t: until the
// RSVP deadline, inclusive.
func (m Meeting) RSVPOpenAt(t time.Time) bool { return !t.After(m.RSVPDeadline) }

// MeetingSummary is a meeting as lists show it, with its invitations
// counted by RSVP status and attendance.
type MeetingSummary struct {
	Meeting
	Counts   map[string]int // by RSVP status
	Invited  int
	Attended int
	Signup   *SignupSummary // nil when the meeting was never opened for sign-up
}

// MeetingFilter selects meetings, latest start first.
type MeetingFilter struct {
	Kind          string
	Limit, Offset int // Limit 0 means 50
}
