package model

import (
	"database/sql"
	"time"
)

// Staff roles as stored.
const (
	RoleAdmin    = "admin"    // everything, including accounts and the audit log
	RoleStaff    = "staff"    // all deputy work
	RoleUnit     = "unit"     // a handling unit: only its own suggestions
	RoleReadonly = "readonly" // views, with phone numbers masked
)

// Account is a console / API account.
type Account struct {
	ID                 int64      `db:"id"`
	Username           string     `db:"username"`
	Name               string     `db:"name"`
	Role               string     `db:"role"`
	Unit               string     `db:"unit"` // the handling unit of a RoleUnit account
	PasswordHash       string     `db:"password_hash"`
	MustChangePassword bool       `db:"must_change_password"`
	Disabled           bool       `db:"disabled"`
	CreatedAt          time.Time  `db:"created_at"`
	LastLoginAt        *time.Time `db:"-"`
}

// DisplayName is the account's name, or its username when it has none.
func (a Account) DisplayName() string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}

// APIToken is an API token of an account; only its hash is stored.
type APIToken struct {
	ID         int64      `db:"id"`
	StaffID    int64      `db:"staff_id"`
	Name       string     `db:"name"`
	Hash       string     `db:"token_hash"`
	CreatedAt  time.Time  `db:"created_at"`
	LastUsedAt *time.Time `db:"-"`
	RevokedAt  *time.Time `db:"-"`
}

// DeputyDelivery is a delivery with the title and kind of its notice, for
// a deputy's page in the console.
type DeputyDelivery struct {
	ID          int64        `db:"id"`
	NoticeKind  string       `db:"kind"`
	NoticeTitle string       `db:"title"`
	Status      string       `db:"status"`
	Reason      string       `db:"reason"`
	CreatedAt   time.Time    `db:"created_at"`
	SentAt      sql.NullTime `db:"sent_at"`
	ReadAt      sql.NullTime `db:"read_at"`
	NextAt      time.Time    `db:"next_at"`
	Urgent      bool         `db:"urgent"`
	Hold        Hold         `db:"-"` // why a waiting delivery has not gone yet
}

// CanTakeOpinions reports whether opinions can be assigned to the
// account: an enabled account doing deputy work.
func (a Account) CanTakeOpinions() bool {
	return !a.Disabled && (a.Role == RoleAdmin || a.Role == RoleStaff)
}
