package model

import (
	"time"
)

// Deputy levels and statuses as stored.
const (
	LevelNational   = "national"
	LevelProvincial = "provincial"
	StatusActive    = "active"
	StatusEnded     = "terminated"
)

// Deputy is one deputy's record.
type Deputy struct {
	ID                int64
	Name              string
	Gender            string
	Ethnicity         string
	BirthDate         *time.Time
	Delegation        string // the delegation / electoral unit's name
	Level             string // LevelNational or LevelProvincial
	Grassroots        bool
	Occupation        string
	ProfessionalGroup string
	Phone             string // empty when unknown
	Status            string // StatusActive or StatusEnded
	TerminatedOn      *time.Time
	TerminationReason string
	OpenID            string // empty while unbound
	BoundAt           *time.Time
	Tags              []string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// DeputyFilter selects deputies for ListDeputies. Zero values match all.
type DeputyFilter struct {
	Delegation        string
	Level             string
	Grassroots        *bool
	ProfessionalGroup string
	Tag               string
	Status            string
	Bound             *bool
	Query             string // part of the name, or of the phone
	Limit, Offset     int    // Limit 0 means all
	AfterID           int64  // keyset paging for exports: ids greater than this
}

// Delegation is a delegation / electoral unit with its deputy counts.
type Delegation struct {
	ID      int64  `db:"id"`
	Name    string `db:"name"`
	Total   int    `db:"total"`
	Bound   int    `db:"bound"`
	Current int    `db:"current"`
}
