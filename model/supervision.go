package model

import (
	"time"
)

// Extension request statuses as stored.
const (
	ExtensionPending  = "pending"  // 待审批
	ExtensionApproved = "approved" // 已批准
	ExtensionRejected = "rejected" // 未批准
)

// SupervisionFilter narrows SupervisionRows. Zero values match all.
type SupervisionFilter struct {
	Session  string
	HostUnit string
}

// SupervisionRow is what 督办 needs of one suggestion: its handling state,
// its deadline as assigned and as extended, the promise date of a B/C
// reply, and how many of its ratings are 不满意.
type SupervisionRow struct {
	ID            int64
	Number        string
	Title         string
	Session       string
	HostUnit      string
	Status        string
	CreatedAt     time.Time  // the assignment (交办) time
	Deadline      *time.Time // suggestions.deadline, a calendar date
	Extended      *time.Time // the latest approved extension's new deadline
	Pending       int        // extension requests awaiting a decision
	ReplyCategory string
	RepliedAt     *time.Time
	// Promise is the promise date staff recorded for the reply at
	// PromiseReplyAt; it belongs to the current reply only when
	// PromiseReplyAt equals RepliedAt.
	Promise        *time.Time
	PromiseReplyAt *time.Time
	// DissatisfiedResult and DissatisfiedAttitude count the ratings whose
	// result, or attitude, is 不满意.
	DissatisfiedResult   int
	DissatisfiedAttitude int
}

// Extension is a handling unit's request to move a suggestion's deadline
// (延期申请), and staff's decision.
type Extension struct {
	ID           int64      `db:"id"`
	SuggestionID int64      `db:"suggestion_id"`
	Unit         string     `db:"unit"`
	OldDeadline  time.Time  `db:"old_deadline"`
	NewDeadline  time.Time  `db:"new_deadline"`
	Reason       string     `db:"reason"`
	Status       string     `db:"status"`
	RequestedBy  string     `db:"requested_by"`
	RequestedAt  time.Time  `db:"requested_at"`
	DecidedBy    string     `db:"decided_by"`
	DecidedAt    *time.Time `db:"decided_at"`
	DecisionNote string     `db:"decision_note"`
	// Number and Title are the suggestion's, filled by the listings.
	Number string `db:"number"`
	Title  string `db:"title"`
}

// ExtensionFilter narrows ListExtensions. Zero values match all.
type ExtensionFilter struct {
	Status       string
	HostUnit     string // the suggestion's host unit
	SuggestionID int64
}
