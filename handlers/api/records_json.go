package api

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"deputybot/model"
)

type recordLine struct {
	Type   string `json:"type"`
	Label  string `json:"label"`
	Count  int    `json:"count"`
	Points int    `json:"points"`
}

type recordTotals struct {
	Lines    []recordLine `json:"lines"`
	Count    int          `json:"count"`
	Points   int          `json:"points"`
	Pending  int          `json:"pending"`  // self-reports awaiting review
	Rejected int          `json:"rejected"` // self-reports rejected
}

func recordTotalsOf(t model.RecordTotals) recordTotals {
	out := recordTotals{Lines: []recordLine{}, Count: t.Count, Points: t.Points, Pending: t.Pending, Rejected: t.Rejected}
	for _, l := range t.Lines {
		out.Lines = append(out.Lines, recordLine{Type: l.Type, Label: l.Label, Count: l.Count, Points: l.Points})
	}
	return out
}

// recordEvent is one line of a timeline; at is a date (yyyy-mm-dd) when
// date_only.
type recordEvent struct {
	Type     string `json:"type"`
	Label    string `json:"label"`
	At       string `json:"at"`
	DateOnly bool   `json:"date_only"`
	Title    string `json:"title"`
	Place    string `json:"place,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Points   int    `json:"points"`
}

func recordEventOf(e model.RecordEvent) recordEvent {
	at := e.At.Format(time.RFC3339)
	if e.DateOnly {
		at = e.At.Format(time.DateOnly)
	}
	return recordEvent{Type: e.Type, Label: e.Label, At: at, DateOnly: e.DateOnly,
		Title: e.Title, Place: e.Place, Detail: e.Detail, Points: e.Points}
}

// recordEntry is a deputy's self-report (履职登记) and its review.
type recordEntry struct {
	ID            int64      `json:"id"`
	DeputyID      int64      `json:"deputy_id"`
	DeputyName    string     `json:"deputy_name"`
	Delegation    string     `json:"delegation"`
	Category      string     `json:"category"`
	CategoryLabel string     `json:"category_label"`
	HappenedOn    string     `json:"happened_on"`
	Place         string     `json:"place"`
	Description   string     `json:"description"`
	Status        string     `json:"status"`
	StatusLabel   string     `json:"status_label"`
	ReviewNote    string     `json:"review_note,omitempty"`
	ReviewedBy    string     `json:"reviewed_by,omitempty"`
	ReviewedAt    *time.Time `json:"reviewed_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

func recordEntryOf(e model.RecordEntry) recordEntry {
	day := ""
	if !e.HappenedOn.IsZero() {
		day = e.HappenedOn.Format(time.DateOnly)
	}
	return recordEntry{ID: e.ID, DeputyID: e.DeputyID, DeputyName: e.DeputyName, Delegation: e.Delegation,
		Category: e.Category, CategoryLabel: e.CategoryLabel(), HappenedOn: day,
		Place: e.Place, Description: e.Description, Status: e.Status, StatusLabel: e.StatusLabel(),
		ReviewNote: e.ReviewNote, ReviewedBy: e.ReviewedBy, ReviewedAt: e.ReviewedAt, CreatedAt: e.CreatedAt}
}

func recordEntries(es []model.RecordEntry) []recordEntry {
	out := make([]recordEntry, len(es))
	for i, e := range es {
		out[i] = recordEntryOf(e)
	}
	return out
}

// recordYear reads ?year=, this year when absent; a year that is not one
// is refused rather than answered empty.
func (s *server) recordYear(q url.Values) (int, error) {
	this := s.core.Records.ThisYear()
	raw := q.Get("year")
	if raw == "" {
		return this, nil
	}
	year, err := strconv.Atoi(raw)
	if err != nil || year < 2000 || year > this+1 {
		return 0, badRequest(fmt.Sprintf("年度“%s”无效，请选择 2000 年至 %d 年之间的年度。", raw, this))
	}
	return year, nil
}
