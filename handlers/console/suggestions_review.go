package console

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// reviewStatuses are the tabs of the review list: waiting, returned,
// merged.
var reviewStatuses = statusChoices(model.SuggestionStatusLabel, model.SuggestionSubmitted, model.SuggestionReturned, model.SuggestionMerged)

type reviewListView struct {
	Status   string
	Statuses []core.Choice
	Rows     []reviewRow
	Pager    pager
}

type reviewRow struct {
	model.SuggestionListItem
	Submitted string
}

// suggestionsReview lists the suggestions deputies submitted: those
// waiting for review first, or those returned or merged.
func suggestionsReview(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	v := reviewListView{Status: model.SuggestionSubmitted, Statuses: reviewStatuses}
	if st := r.URL.Query().Get("status"); st == model.SuggestionReturned || st == model.SuggestionMerged {
		v.Status = st
	}
	pg := pageParam(r.URL.Query())
	items, total, err := s.core.Suggestions.ListAs(r.Context(), by, model.SuggestionFilter{
		Status: v.Status, Source: model.SourceDeputy, Limit: suggestionPageSize, Offset: (pg - 1) * suggestionPageSize})
	if err != nil {
		return err
	}
	v.Pager = newPager(total, pg, suggestionPageSize, func(p int) string {
		return "/admin/suggestions/review?status=" + v.Status + "&page=" + strconv.Itoa(p)
	})
	for _, it := range items {
		v.Rows = append(v.Rows, reviewRow{SuggestionListItem: it, Submitted: s.fmtTime(it.SubmittedAt)})
	}
	s.render(w, r, http.StatusOK, "suggestions_review", page{Title: "代表提交的建议", Nav: "suggestions", Me: by.Account, Data: v})
	return nil
}

// reviewForm is what staff typed in the review forms.
type reviewForm struct {
	Action, Units, Reason, Into string
}

type reviewView struct {
	S         model.SuggestionSubmission
	Stage     string
	Content   []string
	Cosigners []cosignerView
	Steps     []stepView
	CanReview bool
	Form      reviewForm
	Errors    fieldErrors
}

type cosignerView struct {
	Name, State string
	Confirmed   bool
}

func (s *server) renderReview(w http.ResponseWriter, r *http.Request, by core.Actor, status int, id int64, f reviewForm, errs fieldErrors) error {
	sub, err := s.core.Suggestions.SubmissionAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	rec, err := s.core.Suggestions.RecordAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	v := reviewView{S: sub, Stage: core.SuggestionStageLabel(sub.Status), Content: lines(sub.Summary), Form: f, Errors: errs,
		CanReview: sub.Status == model.SuggestionSubmitted && slices.Contains(core.Editors, by.Role())}
	for _, c := range sub.Cosigners {
		v.Cosigners = append(v.Cosigners, cosignerView{Name: c.Name, State: model.CosignLabel(c.State), Confirmed: c.State == model.CosignConfirmed})
	}
	for _, st := range rec.Steps {
		v.Steps = append(v.Steps, stepView{SuggestionStep: st, KindLabel: core.StepKindLabel(st.Kind), Paras: lines(st.Note)})
	}
	s.render(w, r, status, "suggestion_review", page{Title: "审查建议 " + sub.Number, Nav: "suggestions", Me: by.Account, Data: v})
	return nil
}

// suggestionReviewPage shows a deputy's suggestion with its co-signers
// and the three decisions.
func suggestionReviewPage(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	return s.renderReview(w, r, by, http.StatusOK, id, reviewForm{}, nil)
}

// suggestionReviewPost accepts and assigns, returns or merges a
// submitted suggestion (the form's action).
func suggestionReviewPost(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	f := reviewForm{Action: r.PostFormValue("action"), Units: r.PostFormValue("units"), Reason: r.PostFormValue("reason"),
		Into: strings.TrimSpace(r.PostFormValue("into"))}
	act := core.ReviewAction{Action: f.Action, Units: core.SplitUnits(f.Units), Reason: f.Reason}
	if f.Action == core.ReviewMerge && f.Into != "" {
		into, err := s.core.Suggestions.GetByNumber(r.Context(), f.Into)
		if err == nil {
			act.Into = into.ID
		} else if n, perr := strconv.ParseInt(f.Into, 10, 64); perr == nil {
			act.Into = n
		} else {
			return s.renderReview(w, r, by, http.StatusUnprocessableEntity, id, f, fieldErrors{"into": "没有编号为“" + f.Into + "”的建议"})
		}
	}
	sg, err := s.core.Suggestions.ReviewAs(r.Context(), by, id, act)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderReview(w, r, by, http.StatusUnprocessableEntity, id, f, fe)
	} else if err != nil {
		return err
	}
	switch sg.Status {
	case model.SuggestionAssigned:
		s.flash(r, fmt.Sprintf("建议 %s 已交办 %s，已通知代表。", sg.Number, sg.HostUnit))
		http.Redirect(w, r, fmt.Sprintf("/admin/suggestions/%d", id), http.StatusSeeOther)
	default:
		s.flash(r, fmt.Sprintf("建议 %s %s，已通知代表。", sg.Number, core.SuggestionStageLabel(sg.Status)))
		http.Redirect(w, r, "/admin/suggestions/review", http.StatusSeeOther)
	}
	return nil
}
