package model

import "time"

// PendingAsk is a push that waits for a deputy's answer: an invitation, a
// rating request, a survey.
type PendingAsk struct {
	ID        int64     `db:"id"`
	DeputyID  int64     `db:"deputy_id"`
	Flow      string    `db:"flow"`
	RefID     int64     `db:"ref_id"`
	Title     string    `db:"title"`
	CreatedAt time.Time `db:"created_at"`
}

// DraftKeep is how long a flow's draft set aside (parked by a menu click,
// a command typed mid-flow or a timeout) can be taken back with 继续.
const DraftKeep = 7 * 24 * time.Hour
