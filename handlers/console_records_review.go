package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/records/review", editors, recordReviewQueue)
	consoleRoute(http.MethodPost, "/admin/records/{id}/review", editors, recordReview)
}

// recordReviewPageSize is the length of a page of the review queue.
const recordReviewPageSize = 50

type recordReviewView struct {
	Rows  []recordEntryRow
	Pager pager
	// The form that failed, shown again with its message.
	ErrorID     int64
	Error, Note string
}

// recordReviewQueue lists the self-reports awaiting review, oldest first.
func recordReviewQueue(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.renderReviewQueue(w, r, me, http.StatusOK, recordReviewView{})
}

func (s *server) renderReviewQueue(w http.ResponseWriter, r *http.Request, me model.Account, status int, v recordReviewView) error {
	pg, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pg = min(max(pg, 1), 100000)
	es, total, err := s.records().ReviewQueue(r.Context(), recordReviewPageSize, (pg-1)*recordReviewPageSize)
	if err != nil {
		return err
	}
	v.Rows = s.entryRows(es)
	v.Pager = newPager(total, pg, recordReviewPageSize, func(p int) string {
		return "/admin/records/review?" + url.Values{"page": {strconv.Itoa(p)}}.Encode()
	})
	s.render(w, r, status, "record_review", page{Title: "履职登记审核", Nav: "records", Me: me, Data: v})
	return nil
}

// recordReview approves or rejects one self-report (decision=approve or
// reject; a rejection needs a note).
func recordReview(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	decision, note := r.PostFormValue("decision"), r.PostFormValue("note")
	if decision != "approve" && decision != "reject" {
		if _, err := s.d.DB.GetRecordEntry(r.Context(), id); err != nil {
			return err
		}
		return badRequest("请选择“通过”或“退回”。")
	}
	e, err := s.records().Review(r.Context(), id, decision == "approve", note, me.DisplayName())
	var verr core.ValidationError
	switch {
	case errors.As(err, &verr):
		return s.renderReviewQueue(w, r, me, http.StatusUnprocessableEntity,
			recordReviewView{ErrorID: id, Error: verr.Error(), Note: note})
	case errors.Is(err, model.ErrConflict):
		s.flash(r, "这条履职登记已由其他工作人员审核。")
		http.Redirect(w, r, "/admin/records/review", http.StatusSeeOther)
		return nil
	case err != nil:
		return err
	}
	verb := "通过"
	if e.Status == model.EntryRejected {
		verb = "退回"
	}
	s.audit(r, me, "record.review", fmt.Sprintf("record_entry/%d", e.ID),
		fmt.Sprintf("%s %s 的履职登记（%s，%s）", verb, e.DeputyName, core.EntryCategoryLabel(e.Category), e.HappenedOn.Format("2006-01-02")))
	s.flash(r, fmt.Sprintf("已%s %s 的履职登记。", verb, e.DeputyName))
	http.Redirect(w, r, "/admin/records/review", http.StatusSeeOther)
	return nil
}
