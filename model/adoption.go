package model

import "time"

// Adoption records that an opinion on a draft regulation was adopted (采纳).
type Adoption struct {
	OpinionID int64     `db:"opinion_id"`
	AdoptedBy string    `db:"adopted_by"`
	AdoptedAt time.Time `db:"adopted_at"`
	Note      string    `db:"note"`
}
