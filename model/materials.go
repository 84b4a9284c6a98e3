package model

import (
	"database/sql"
	"fmt"
	"time"
)

// Material statuses: a draft is written, published (deputies see it from
// PublishedAt on, which may be later: a scheduled publication), archived
// (kept for the record, no longer listed for deputies).
const (
	MaterialDraft     = "draft"
	MaterialPublished = "published"
	MaterialArchived  = "archived"
)

// MaterialStatuses lists the statuses in the order filters offer them.
var MaterialStatuses = []string{MaterialDraft, MaterialPublished, MaterialArchived}

var materialStatusLabels = map[string]string{MaterialDraft: "草稿", MaterialPublished: "已发布", MaterialArchived: "已归档"}

// MaterialStatusLabel names a status in Chinese (the status itself when unknown).
func MaterialStatusLabel(st string) string {
	if l, ok := materialStatusLabels[st]; ok {
		return l
	}
	return st
}

// Material is a study material (学习材料): a title, a summary, a body
// written in Markdown, an optional source link and video link, and
// attachments.
type Material struct {
	ID          int64        `db:"id"`
	Title       string       `db:"title"`
	Summary     string       `db:"summary"`
	Link        string       `db:"link"`
	Body        string       `db:"body"` // Markdown
	Category    string       `db:"category"`
	VideoLink   string       `db:"video_link"`
	Status      string       `db:"status"`
	CreatedBy   string       `db:"created_by"`
	PublishedAt time.Time    `db:"published_at"` // deputies see it from then on, once published
	CreatedAt   time.Time    `db:"created_at"`
	UpdatedAt   sql.NullTime `db:"updated_at"`
	ArchivedAt  sql.NullTime `db:"archived_at"`

	Attachments []File `db:"-"`
}

// Object names the material in the audit log.
func (m Material) Object() string { return fmt.Sprintf("material/%d", m.ID) }

// VisibleAt reports whether deputies see the material at now.
func (m Material) VisibleAt(now time.Time) bool {
	return m.Status == MaterialPublished && !m.PublishedAt.After(now)
}

// Scheduled reports whether the material is published for a later time.
func (m Material) Scheduled(now time.Time) bool {
	return m.Status == MaterialPublished && m.PublishedAt.After(now)
}

// StatusText names the material's state at now: 草稿, 定时发布, 已发布, 已归档.
func (m Material) StatusText(now time.Time) string {
	if m.Scheduled(now) {
		return "定时发布"
	}
	return MaterialStatusLabel(m.Status)
}

// AttachmentIDs lists the ids of the material's attachments.
func (m Material) AttachmentIDs() []int64 {
	out := make([]int64, len(m.Attachments))
	for i, f := range m.Attachments {
		out[i] = f.ID
	}
	return out
}

// MaterialFilter selects materials for staff lists.
type MaterialFilter struct {
	Q        string // searched in title, summary and body; title matches first
	Status   string // a status, "scheduled", or "" for all
	Category string
	Limit    int // 0: all
	Offset   int
}

// MaterialRow is a material in a staff list, with how many studied it.
type MaterialRow struct {
	Material
	Studied int `db:"studied"`
}

// MaterialStats is what became of a material's pushes: deputies it was
// sent to, who opened its page, who marked it studied, and the average
// seconds its page was visible to those who read it.
type MaterialStats struct {
	Sent           int `json:"sent"`
	Opened         int `json:"opened"`
	Studied        int `json:"studied"`
	AvgReadSeconds int `json:"avg_read_seconds"`
}

// DeputyMaterial is a material as one deputy sees it.
type DeputyMaterial struct {
	Material
	StudiedAt   *time.Time // nil until the deputy marks it studied
	ReadSeconds int        // how long the deputy has read it
}

// Studied reports whether the deputy has marked the material studied.
func (m DeputyMaterial) Studied() bool { return m.StudiedAt != nil }
