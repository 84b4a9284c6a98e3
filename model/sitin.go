package model

import (
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Sitting in on standing-committee sessions (列席): the facts a proposal
// is made from, the proposal, and the coverage of the deputies.

// SitInRecord is one deputy's invitation to a meeting, with the meeting's
// kind, title and start.
type SitInRecord struct {
	DeputyID  int64        `db:"deputy_id"`
	MeetingID int64        `db:"meeting_id"`
	Kind      string       `db:"kind"`
	Title     string       `db:"title"`
	StartsAt  time.Time    `db:"starts_at"`
	Status    string       `db:"status"`
	Attended  sql.NullBool `db:"attended"`
}

// TookPart reports whether the deputy attended, or accepted while their
// attendance is not recorded yet. A recorded absence is not taking part.
func (r SitInRecord) TookPart() bool {
	if r.Attended.Valid {
		return r.Attended.Bool
	}
	return r.Status == RSVPAttend
}

// TopicSuggestion is a suggestion whose title or summary may mention a
// topic, and one deputy on it (lead or seconder).
type TopicSuggestion struct {
	SuggestionID int64  `db:"suggestion_id"`
	DeputyID     int64  `db:"deputy_id"`
	Title        string `db:"title"`
	Summary      string `db:"summary"`
}

// Proposal is one deputy proposed to sit in on a session, with the reasons
// shown to staff; each reason is a fact about the deputy.
type Proposal struct {
	Deputy      Deputy
	Score       float64 // the topic and grassroots score
	Sittings    int     // sessions sat in on this term
	Suggestions int     // suggestions mentioning a topic, as lead or seconder
	Research    int     // research and inspections on a topic taken part in
	GroupMatch  bool    // the professional group matches a topic
	Reasons     []string
}

// ReasonText joins the reasons as the console shows them.
func (p Proposal) ReasonText() string { return strings.Join(p.Reasons, " · ") }

// SitInCoverageRow counts one delegation's (or the total's) deputies in
// office and those among them who sat in on a session this term and in the
// year.
type SitInCoverageRow struct {
	Delegation string `db:"delegation"` // "" for deputies without one
	InOffice   int    `db:"in_office"`
	InTerm     int    `db:"in_term"` // took part from the term's start to the year's end
	InYear     int    `db:"in_year"` // took part within the year
}

// Percent is the share of deputies in office who sat in this term.
func (r SitInCoverageRow) Percent() float64 {
	if r.InOffice == 0 {
		return 0
	}
	return 100 * float64(r.InTerm) / float64(r.InOffice)
}

// PercentText is Percent as pages show it.
func (r SitInCoverageRow) PercentText() string { return fmt.Sprintf("%.1f%%", r.Percent()) }

// Remaining is how many deputies in office have not sat in this term.
func (r SitInCoverageRow) Remaining() int { return r.InOffice - r.InTerm }

// SitInCoverage is the yearly view of 列席 against the goal of every
// deputy sitting in at least once over the term.
type SitInCoverage struct {
	TermStart time.Time
	Year      int
	Rows      []SitInCoverageRow // by delegation name
	Total     SitInCoverageRow
}

// SitInProposal is a proposal of invitees for a session, with what it was
// made on.
type SitInProposal struct {
	Meeting   Meeting
	N         int      // how many were asked for
	Topics    []string // the agenda topics, split and without repeats
	TermStart time.Time
	Proposals []Proposal // best first, at most N
}
