package api

import (
	"strconv"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// The JSON of the study routes: materials and courses.

// material is a study material as the API shows it.
type material struct {
	ID          int64      `json:"id"`
	Title       string     `json:"title"`
	Summary     string     `json:"summary"`
	Body        string     `json:"body"` // Markdown
	Category    string     `json:"category"`
	Link        string     `json:"link"`
	VideoLink   string     `json:"video_link"`
	Status      string     `json:"status"`
	StatusLabel string     `json:"status_label"`
	PublishedAt *time.Time `json:"published_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   *time.Time `json:"updated_at"`
	ArchivedAt  *time.Time `json:"archived_at"`
	CreatedBy   string     `json:"created_by"`
	Attachments []file     `json:"attachments"`
	Studied     *int       `json:"studied,omitempty"`
}

func materialOf(m model.Material, now time.Time) material {
	out := material{ID: m.ID, Title: m.Title, Summary: m.Summary, Body: m.Body, Category: m.Category, Link: m.Link,
		VideoLink: m.VideoLink, Status: m.Status, StatusLabel: m.StatusText(now), CreatedAt: m.CreatedAt.UTC(),
		UpdatedAt: nullTime(m.UpdatedAt), ArchivedAt: nullTime(m.ArchivedAt), CreatedBy: m.CreatedBy, Attachments: []file{}}
	if m.Status != model.MaterialDraft {
		t := m.PublishedAt.UTC()
		out.PublishedAt = &t
	}
	for _, f := range m.Attachments {
		out.Attachments = append(out.Attachments, fileOf(f))
	}
	return out
}

// materialInput is the body of POST /api/v1/materials and PUT …/{id}.
type materialInput struct {
	Title         string  `json:"title"`
	Summary       string  `json:"summary"`
	Body          string  `json:"body"`
	Category      string  `json:"category"`
	Link          string  `json:"link"`
	VideoLink     string  `json:"video_link"`
	AttachmentIDs []int64 `json:"attachment_ids"`
}

func (in materialInput) core() core.MaterialInput {
	return core.MaterialInput{Title: in.Title, Summary: in.Summary, Body: in.Body, Category: in.Category, Link: in.Link,
		VideoLink: in.VideoLink, AttachmentIDs: in.AttachmentIDs}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
