package model

import (
	"database/sql"
	"time"
)

// CommitteeMember is a standing-committee member in 双联系 (each linked to
// a handful of deputies).
type CommitteeMember struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	Phone     string    `db:"phone"`
	Title     string    `db:"title"`
	CreatedAt time.Time `db:"created_at"`
	Deputies  int       `db:"deputies"` // read only: linked deputies
	// Read only, from member_bindings: the deputy record the member holds
	// (0 when not a deputy) and that record's WeChat, or the member's own
	// WeChat bound with a member code.
	DeputyID     int64        `db:"deputy_id"`
	DeputyName   string       `db:"deputy_name"`
	DeputyOpenID string       `db:"deputy_openid"`
	OpenID       string       `db:"openid"`
	BoundAt      sql.NullTime `db:"bound_at"`
}

// WeChat is the openid the member is reached at: their deputy record's
// binding, else their own; "" when neither is bound.
func (m CommitteeMember) WeChat() string {
	if m.DeputyOpenID != "" {
		return m.DeputyOpenID
	}
	return m.OpenID
}

// MemberContact is one contact a member logged with a linked deputy.
type MemberContact struct {
	ID         int64     `db:"id"`
	MemberID   int64     `db:"member_id"`
	DeputyID   int64     `db:"deputy_id"`
	DeputyName string    `db:"deputy_name"` // read only
	Kind       string    `db:"kind"`        // 见面走访, 电话, 视频, 信函
	OnDate     time.Time `db:"on_date"`
	Note       string    `db:"note"`
	CreatedAt  time.Time `db:"created_at"`
}

// DigestRow is what a member's digest says of one linked deputy.
type DigestRow struct {
	DeputyID       int64  `db:"deputy_id"`
	Name           string `db:"name"`
	Delegation     string `db:"delegation"`
	OpenRSVPs      int    `db:"open_rsvps"`      // invitations not answered, deadline not passed
	UnratedReplies int    `db:"unrated_replies"` // suggestions of theirs answered but not rated by them
	NewOpinions    int    `db:"new_opinions"`    // opinions sent since
	NewSuggestions int    `db:"new_suggestions"` // suggestions they lead or second, created since
	ContactsYear   int    `db:"contacts_year"`   // contacts the member logged with them since yearStart
}
