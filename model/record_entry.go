package model

import (
	"fmt"
	"time"
)

// Self-reported entry (履职登记) review statuses as stored.
const (
	EntryPending  = "pending"
	EntryApproved = "approved"
	EntryRejected = "rejected"
)

// EntryStatusLabel returns a self-report review status's Chinese name.
func EntryStatusLabel(status string) string {
	switch status {
	case EntryApproved:
		return "已通过"
	case EntryRejected:
		return "未通过"
	}
	return "待审核"
}

// Self-reported entry categories as stored.
const (
	EntryResearch = "research" // 调研视察
	EntryContact  = "contact"  // 联系群众
	EntryActivity = "activity" // 参加活动
	EntryOther    = "other"    // 其他
)

// EntryCategories lists the categories in the order the chat offers them.
var EntryCategories = []string{EntryResearch, EntryContact, EntryActivity, EntryOther}

var entryCategoryLabels = map[string]string{
	EntryResearch: "调研视察", EntryContact: "联系群众", EntryActivity: "参加活动", EntryOther: "其他",
}

// EntryCategoryLabel returns a self-report category's Chinese name.
func EntryCategoryLabel(category string) string {
	if l, ok := entryCategoryLabels[category]; ok {
		return l
	}
	return category
}

// Limits on a self-reported entry and its review.
const (
	MaxEntryDescriptionRunes = 100
	MaxEntryPlaceRunes       = 50
	MaxReviewNoteRunes       = 200
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

// Object names the entry in the audit log.
func (e RecordEntry) Object() string { return fmt.Sprintf("record_entry/%d", e.ID) }

// CategoryLabel is the category in Chinese.
func (e RecordEntry) CategoryLabel() string { return EntryCategoryLabel(e.Category) }

// StatusLabel is the review status in Chinese.
func (e RecordEntry) StatusLabel() string { return EntryStatusLabel(e.Status) }

// RecordEntryFilter selects self-reported entries. Zero values match all.
type RecordEntryFilter struct {
	DeputyID      int64
	Status        string
	From, To      *time.Time // HappenedOn in [From, To)
	Limit, Offset int        // Limit 0 means all
}
