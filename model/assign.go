package model

import "time"

// OpinionAssignment is the staff account looking after an opinion.
type OpinionAssignment struct {
	OpinionID  int64     `db:"opinion_id"`
	Receipt    string    `db:"receipt"` // read only: the opinion's receipt number
	StaffID    int64     `db:"staff_id"`
	StaffName  string    `db:"staff_name"` // read only: the account's display name
	AssignedBy string    `db:"assigned_by"`
	AssignedAt time.Time `db:"assigned_at"`
}
