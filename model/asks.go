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
