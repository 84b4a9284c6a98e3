package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/deputies/{id}/record", viewers, apiDeputyRecord)
	apiRoute(http.MethodGet, "/api/v1/records/review", editors, apiRecordReviewQueue)
	apiRoute(http.MethodPost, "/api/v1/records/{id}/review", editors, apiRecordReview)
}

// recordKeys names the JSON properties of core's record fields.
var recordKeys = mapKeys(map[string]string{"审核意见": "note", "审核结果": "decision"})

type apiRecordLine struct {
	Type   string `json:"type"`
	Label  string `json:"label"`
	Count  int    `json:"count"`
	Points int    `json:"points"`
}

type apiRecordTotals struct {
	Lines    []apiRecordLine `json:"lines"`
	Count    int             `json:"count"`
	Points   int             `json:"points"`
	Pending  int             `json:"pending"`  // self-reports awaiting review
	Rejected int             `json:"rejected"` // self-reports rejected
}

// apiRecordEvent is one line of a timeline; at is a date (yyyy-mm-dd)
// when date_only.
type apiRecordEvent struct {
	Type     string `json:"type"`
	Label    string `json:"label"`
	At       string `json:"at"`
	DateOnly bool   `json:"date_only"`
	Title    string `json:"title"`
	Place    string `json:"place,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Points   int    `json:"points"`
}

// apiRecordEntry is a deputy's self-report (履职登记) and its review.
type apiRecordEntry struct {
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

func apiRecordEntryOf(e model.RecordEntry) apiRecordEntry {
	return apiRecordEntry{ID: e.ID, DeputyID: e.DeputyID, DeputyName: e.DeputyName, Delegation: e.Delegation,
		Category: e.Category, CategoryLabel: core.EntryCategoryLabel(e.Category), HappenedOn: apiDay(e.HappenedOn),
		Place: e.Place, Description: e.Description, Status: e.Status, StatusLabel: core.EntryStatusLabel(e.Status),
		ReviewNote: e.ReviewNote, ReviewedBy: e.ReviewedBy, ReviewedAt: e.ReviewedAt, CreatedAt: e.CreatedAt}
}

func apiRecordEntries(es []model.RecordEntry) []apiRecordEntry {
	out := make([]apiRecordEntry, len(es))
	for i, e := range es {
		out[i] = apiRecordEntryOf(e)
	}
	return out
}

type apiDeputyRecordOut struct {
	Deputy   apiDeputy        `json:"deputy"`
	Year     int              `json:"year"`
	Totals   apiRecordTotals  `json:"totals"`
	Timeline []apiRecordEvent `json:"timeline"`
	Entries  []apiRecordEntry `json:"entries"`
}

// apiDeputyRecord is a deputy's performance record (履职档案) for ?year=
// (this year by default): totals by type, the timeline and the
// self-reports with their review.
func apiDeputyRecord(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	year, _, err := s.recordYear(r.URL.Query())
	if err != nil {
		return err
	}
	rep, err := s.records().Report(r.Context(), id, year)
	if err != nil {
		return err
	}
	t := rep.Totals
	out := apiDeputyRecordOut{Deputy: apiDeputyOf(forViewer(me, rep.Deputy)[0]), Year: year,
		Totals:   apiRecordTotals{Lines: []apiRecordLine{}, Count: t.Count, Points: t.Points, Pending: t.Pending, Rejected: t.Rejected},
		Timeline: []apiRecordEvent{}, Entries: apiRecordEntries(rep.Entries)}
	for _, l := range t.Lines {
		out.Totals.Lines = append(out.Totals.Lines, apiRecordLine{Type: l.Type, Label: l.Label, Count: l.Count, Points: l.Points})
	}
	for _, e := range rep.Timeline {
		at := e.At.In(s.d.Loc).Format(time.RFC3339)
		if e.DateOnly {
			at = e.At.Format(time.DateOnly)
		}
		out.Timeline = append(out.Timeline, apiRecordEvent{Type: e.Type, Label: e.Label, At: at, DateOnly: e.DateOnly,
			Title: e.Title, Place: e.Place, Detail: e.Detail, Points: e.Points})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type apiRecordQueue struct {
	Total   int              `json:"total"`
	Page    int              `json:"page"`
	PerPage int              `json:"per_page"`
	Entries []apiRecordEntry `json:"entries"`
}

// apiRecordReviewQueue pages through the self-reports awaiting review,
// oldest first.
func apiRecordReviewQueue(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	per, err := perPage(r, recordReviewPageSize)
	if err != nil {
		return err
	}
	pg := 1
	if v := r.URL.Query().Get("page"); v != "" {
		if pg, err = strconv.Atoi(v); err != nil || pg < 1 || pg > 100000 {
			return badRequest("page 应为正整数")
		}
	}
	es, total, err := s.records().ReviewQueue(r.Context(), per, (pg-1)*per)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiRecordQueue{Total: total, Page: pg, PerPage: per, Entries: apiRecordEntries(es)})
	return nil
}

type apiRecordReviewInput struct {
	Decision string `json:"decision"` // approve or reject
	Note     string `json:"note"`     // needed to reject
}

// apiRecordReview approves or rejects one pending self-report; one
// already reviewed is 409.
func apiRecordReview(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	var in apiRecordReviewInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Decision != "approve" && in.Decision != "reject" {
		if _, err := s.d.DB.GetRecordEntry(r.Context(), id); err != nil {
			return err
		}
		return writeAPIValidation(w, core.ValidationError{{Key: "decision", Label: "审核结果", Value: in.Decision, Msg: "应为 approve 或 reject"}}, recordKeys)
	}
	e, err := s.records().Review(r.Context(), id, in.Decision == "approve", in.Note, me.DisplayName())
	if err != nil {
		return writeAPIValidation(w, err, recordKeys)
	}
	verb := "通过"
	if e.Status == model.EntryRejected {
		verb = "退回"
	}
	s.audit(r, me, "record.review", fmt.Sprintf("record_entry/%d", e.ID),
		fmt.Sprintf("%s %s 的履职登记（%s，%s）", verb, e.DeputyName, core.EntryCategoryLabel(e.Category), e.HappenedOn.Format("2006-01-02")))
	writeJSON(w, http.StatusOK, apiRecordEntryOf(e))
	return nil
}
