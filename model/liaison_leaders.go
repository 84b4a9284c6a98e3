package model

import (
	"database/sql"
	"time"
)

// LiaisonLeader is a provincial leader who is a deputy, linked to their
// electoral unit (选举单位: a delegation of the registry).
type LiaisonLeader struct {
	ID           int64     `db:"id"`
	DeputyID     int64     `db:"deputy_id"`
	DeputyName   string    `db:"deputy_name"` // read only
	DelegationID int64     `db:"delegation_id"`
	Unit         string    `db:"unit"` // read only: the delegation's name
	Title        string    `db:"title"`
	CreatedAt    time.Time `db:"created_at"`
	// Read only, over the year asked for: activities in the unit and the
	// latest one's date (null when none).
	Activities int          `db:"activities"`
	LastOn     sql.NullTime `db:"-"`
}

// LeaderActivity is one activity a leader attended in their unit.
type LeaderActivity struct {
	ID         int64     `db:"id"`
	LeaderID   int64     `db:"leader_id"`
	LeaderName string    `db:"leader_name"` // read only
	Kind       string    `db:"kind"`        // 调研, 座谈, 接待代表, 其他
	OnDate     time.Time `db:"on_date"`
	Note       string    `db:"note"`
	CreatedBy  string    `db:"created_by"` // the staff account, or 微信 when the leader logged it
	CreatedAt  time.Time `db:"created_at"`
}
