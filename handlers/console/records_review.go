package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// recordReviewPageSize is the length of a page of the review queue.
const recordReviewPageSize = 50

type recordReviewView struct {
	Rows  []recordEntryRow
	Pager pager
	// The form that failed, shown again with its message; Alert holds the
	// message when that self-report is not on this page.
	ErrorID            int64
	Error, Note, Alert string
}

// recordReviewQueue lists the self-reports awaiting review, oldest first.
func recordReviewQueue(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderReviewQueue(w, r, by, http.StatusOK, recordReviewView{})
}

func (s *server) renderReviewQueue(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v recordReviewView) error {
	pg := pageParam(r.URL.Query())
	es, total, err := s.core.Records.ReviewQueue(r.Context(), by, recordReviewPageSize, (pg-1)*recordReviewPageSize)
	if err != nil {
		return err
	}
	v.Rows = s.entryRows(es)
	if v.Error != "" && !slices.ContainsFunc(v.Rows, func(r recordEntryRow) bool { return r.ID == v.ErrorID }) {
		v.Alert = v.Error
	}
	v.Pager = newPager(total, pg, recordReviewPageSize, func(p int) string {
		return "/admin/records/review?" + url.Values{"page": {strconv.Itoa(p)}}.Encode()
	})
	s.render(w, r, status, "record_review", page{Title: "履职登记审核", Nav: "records", Me: by.Account, Data: v})
	return nil
}

// recordReview approves or rejects one self-report (decision=approve or
// reject; a rejection needs a note).
func recordReview(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	note := r.PostFormValue("note")
	e, err := s.core.Records.Review(r.Context(), by, id, r.PostFormValue("decision"), note)
	if verr, ok := core.Fields(err); ok {
		return s.renderReviewQueue(w, r, by, http.StatusUnprocessableEntity, recordReviewView{ErrorID: id, Error: verr.Error(), Note: note})
	} else if errors.Is(err, model.ErrConflict) {
		s.flash(r, core.Message(err))
		http.Redirect(w, r, "/admin/records/review", http.StatusSeeOther)
		return nil
	} else if err != nil {
		return err
	}
	verb := "通过"
	if e.Status == model.EntryRejected {
		verb = "退回"
	}
	s.flash(r, fmt.Sprintf("已%s %s 的履职登记。", verb, e.DeputyName))
	http.Redirect(w, r, "/admin/records/review", http.StatusSeeOther)
	return nil
}
