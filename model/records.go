package model

import (
	"time"
)

// Self-reported entry (履职登记) review statuses as stored.
const (
	EntryPending  = "pending"
	EntryApproved = "approved"
	EntryRejected = "rejected"
)

// Self-reported entry categories as stored.
const (
	EntryResearch = "research" // 调研视察
	EntryContact  = "contact"  // 联系群众
	EntryActivity = "activity" // 参加活动
	EntryOther    = "other"    // 其他
)

// RecordEntry is an activity a deputy reported (履职登记); it counts in the
// record once staff approve it.
type RecordEntry struct {
	ID          int64
	DeputyID    int64
	DeputyName  string // read only
	Delegation  string // read only
	Category    string // EntryResearch …
	HappenedOn  time.Time
	Place       string
	Description string
	Status      string // EntryPending, EntryApproved or EntryRejected
	ReviewNote  string
	ReviewedBy  string
	ReviewedAt  *time.Time
	Channel     string
	CreatedAt   time.Time
}

// RecordEntryFilter selects self-reported entries. Zero values match all.
type RecordEntryFilter struct {
	DeputyID      int64
	Status        string
	From, To      *time.Time // HappenedOn in [From, To)
	Limit, Offset int        // Limit 0 means all
}

// Kinds of RecordEvent.
const (
	EventAttend     = "attend"     // Sub is the meeting kind
	EventRSVP       = "rsvp"       // Sub is the answer (attend or leave)
	EventStudy      = "study"      // Sub is empty
	EventOpinion    = "opinion"    // Sub is the opinion category
	EventSuggestion = "suggestion" // Sub is the role (RoleLead or RoleSecond)
	EventRating     = "rating"     // Sub is empty
	EventEntry      = "entry"      // an approved self-report; Sub is its category
)

// RecordEvent is one thing a deputy did that the performance record
// counts, read from the table that holds it.
type RecordEvent struct {
	DeputyID int64     `db:"deputy_id"`
	Kind     string    `db:"kind"`
	Sub      string    `db:"sub"`
	At       time.Time `db:"at"`
	Title    string    `db:"title"`
	Place    string    `db:"place"`
	Ref      int64     `db:"ref"` // the meeting, material, opinion, suggestion or entry
}

// RecordScope names whose events to read: one deputy, or every deputy of a
// delegation.
type RecordScope struct {
	DeputyID   int64
	Delegation string
}
