package model

import "time"

// ReminderTarget is one thing to remind about and whom.
type ReminderTarget struct {
	RefID     int64
	Title     string
	When      time.Time // the meeting's start, the survey's close …
	DeputyIDs []int64
}
