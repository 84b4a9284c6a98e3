package api

import (
	"net/http"
	"strconv"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

type recordQueue struct {
	Total   int           `json:"total"`
	Page    int           `json:"page"`
	PerPage int           `json:"per_page"`
	Entries []recordEntry `json:"entries"`
}

// recordReviewQueue pages through the self-reports awaiting review, oldest
// first.
func recordReviewQueue(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	per, err := perPageOf(q, 50, 500)
	if err != nil {
		return err
	}
	pg := 1
	if v := q.Get("page"); v != "" {
		if pg, err = strconv.Atoi(v); err != nil || pg < 1 || pg > 100000 {
			return badRequest("page 应为正整数")
		}
	}
	es, total, err := s.core.Records.ReviewQueue(r.Context(), by, per, (pg-1)*per)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, recordQueue{Total: total, Page: pg, PerPage: per, Entries: recordEntries(es)})
	return nil
}

type recordReviewInput struct {
	Decision string `json:"decision"` // approve or reject
	Note     string `json:"note"`     // needed to reject
}

// recordReview approves or rejects one pending self-report; one already
// reviewed is 409.
func recordReview(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in recordReviewInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := s.core.Records.Review(r.Context(), by, id, in.Decision, in.Note)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, recordEntryOf(e))
	return nil
}
