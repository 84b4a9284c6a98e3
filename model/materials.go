package model

import "time"

// Material is a study material (学习材料): a link, or a body shown on an H5
// page.
type Material struct {
	ID          int64     `db:"id"`
	Title       string    `db:"title"`
	Summary     string    `db:"summary"`
	Link        string    `db:"link"`
	Body        string    `db:"body"`
	PublishedAt time.Time `db:"published_at"` // deputies see it from then on
	CreatedAt   time.Time `db:"created_at"`
}

// DeputyMaterial is a material as one deputy sees it.
type DeputyMaterial struct {
	Material
	StudiedAt *time.Time // nil until the deputy marks it studied
}

// Studied reports whether the deputy has marked the material studied.
func (m DeputyMaterial) Studied() bool { return m.StudiedAt != nil }
