package model

import (
	"database/sql"
	"time"
)

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

// SitInCoverageRow counts one delegation's deputies in office and those
// among them who took part in a meeting of the kind in each period.
type SitInCoverageRow struct {
	Delegation string `db:"delegation"` // "" for deputies without one
	InOffice   int    `db:"in_office"`
	InTerm     int    `db:"in_term"`   // took part in [termStart, until)
	InPeriod   int    `db:"in_period"` // took part in [periodStart, until)
}
