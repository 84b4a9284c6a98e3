package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// suggestionPageSize is the default page length of GET /api/v1/suggestions.
const suggestionPageSize = 50

// suggestion is a suggestion as the API shows it; deputies, steps and
// ratings are filled in on the single-suggestion routes only.
type suggestion struct {
	ID             int64               `json:"id"`
	Number         string              `json:"number"`
	Title          string              `json:"title"`
	Summary        string              `json:"summary"`
	Session        string              `json:"session"`
	LeadDeputyID   int64               `json:"lead_deputy_id"`
	LeadName       string              `json:"lead_name,omitempty"`
	HostUnit       string              `json:"host_unit"`
	CoUnits        string              `json:"co_units"`
	Status         string              `json:"status"`
	StatusLabel    string              `json:"status_label"`
	Deadline       string              `json:"deadline,omitempty"`
	ReplyCategory  string              `json:"reply_category,omitempty"`
	ReplyText      string              `json:"reply_text,omitempty"`
	RepliedAt      *time.Time          `json:"replied_at,omitempty"`
	ConcludedAt    *time.Time          `json:"concluded_at,omitempty"`
	RehandleReason string              `json:"rehandle_reason,omitempty"`
	Source         string              `json:"source"` // staff or deputy
	Category       string              `json:"category,omitempty"`
	ReviewNote     string              `json:"review_note,omitempty"` // why it was returned
	MergedInto     int64               `json:"merged_into,omitempty"`
	SubmittedAt    *time.Time          `json:"submitted_at,omitempty"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
	Deputies       []suggestionDeputy  `json:"deputies,omitempty"`
	Cosigners      []cosignerJ         `json:"cosigners,omitempty"` // a deputy's suggestion: those asked to co-sign
	Files          []fileRefJ          `json:"files,omitempty"`
	Steps          []step              `json:"steps,omitempty"`
	Ratings        []suggestionRatingJ `json:"ratings,omitempty"`
}

type cosignerJ struct {
	DeputyID   int64  `json:"deputy_id"`
	Name       string `json:"name"`
	State      string `json:"state"` // pending, invited, confirmed or declined
	StateLabel string `json:"state_label"`
}

type fileRefJ struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

type suggestionDeputy struct {
	DeputyID int64  `json:"deputy_id"`
	Name     string `json:"name"`
	Role     string `json:"role"` // lead or second
}

type step struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	KindLabel string    `json:"kind_label"`
	Actor     string    `json:"actor"`
	Note      string    `json:"note"`
}

type suggestionRatingJ struct {
	DeputyID  int64      `json:"deputy_id"`
	Contact   string     `json:"contact"`
	Attitude  string     `json:"attitude"`
	Result    string     `json:"result"`
	Reason    string     `json:"reason"`
	RatedAt   time.Time  `json:"rated_at"`
	RevisedAt *time.Time `json:"revised_at,omitempty"`
}

func dayOf(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func suggestionOf(sg model.Suggestion) suggestion {
	out := suggestion{ID: sg.ID, Number: sg.Number, Title: sg.Title, Summary: sg.Summary, Session: sg.Session,
		LeadDeputyID: sg.LeadDeputyID, HostUnit: sg.HostUnit, CoUnits: sg.CoUnits, Status: sg.Status,
		StatusLabel: core.SuggestionStageLabel(sg.Status), Deadline: dayOf(sg.Deadline), ReplyCategory: sg.ReplyCategory,
		ReplyText: sg.ReplyText, RepliedAt: sg.RepliedAt, ConcludedAt: sg.ConcludedAt, RehandleReason: sg.RehandleReason,
		Source: sg.Source, Category: sg.Category, ReviewNote: sg.ReviewNote, MergedInto: sg.MergedInto,
		SubmittedAt: sg.SubmittedAt, CreatedAt: sg.CreatedAt, UpdatedAt: sg.UpdatedAt}
	for _, d := range sg.Deputies {
		out.Deputies = append(out.Deputies, suggestionDeputy{DeputyID: d.DeputyID, Name: d.Name, Role: d.Role})
		if d.Role == model.RoleLead {
			out.LeadName = d.Name
		}
	}
	return out
}

func stepOf(st model.SuggestionStep) step {
	return step{ID: st.ID, At: st.At, Kind: st.Kind, KindLabel: core.StepKindLabel(st.Kind), Actor: st.Actor, Note: st.Note}
}

// suggestionStatuses are the statuses the list filters by: those of
// handling, and those of a deputy's suggestion under review (a draft is
// the deputy's own).
var suggestionStatuses = []string{model.SuggestionAssigned, model.SuggestionHandling, model.SuggestionReplied,
	model.SuggestionConcluded, model.SuggestionRehandling,
	model.SuggestionSubmitted, model.SuggestionReturned, model.SuggestionMerged}

// suggestionsList pages through the suggestions the account may see with
// the console's filters (status, unit, session, deputy, number) and
// source (deputy: those deputies submitted). With no status it lists the
// suggestions being handled; status=submitted lists those waiting for
// review.
func suggestionsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	v := r.URL.Query()
	per, err := perPageOf(v, suggestionPageSize, 500)
	if err != nil {
		return err
	}
	page := pageOf(v)
	q := model.SuggestionFilter{HostUnit: httpkit.CleanText(v.Get("unit")),
		Session: httpkit.CleanText(v.Get("session")), Limit: per, Offset: (page - 1) * per,
		Number: httpkit.CleanText(v.Get("number")), DeputyName: httpkit.CleanText(v.Get("deputy"))}
	for _, st := range suggestionStatuses {
		if v.Get("status") == st {
			q.Status = st
		}
	}
	if src := v.Get("source"); src == model.SourceDeputy || src == model.SourceStaff {
		q.Source = src
	}
	items, total, err := s.core.Suggestions.ListAs(r.Context(), by, q)
	if err != nil {
		return err
	}
	out := struct {
		Total       int          `json:"total"`
		Page        int          `json:"page"`
		PerPage     int          `json:"per_page"`
		Suggestions []suggestion `json:"suggestions"`
	}{Total: total, Page: page, PerPage: per, Suggestions: []suggestion{}}
	for _, it := range items {
		a := suggestionOf(it.Suggestion)
		a.LeadName = it.LeadName
		out.Suggestions = append(out.Suggestions, a)
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// suggestionGet returns a suggestion with its deputies, steps and
// ratings; another unit's suggestion is 404.
func suggestionGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	rec, err := s.core.Suggestions.RecordAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	out := suggestionOf(rec.Suggestion)
	if rec.Suggestion.Source == model.SourceDeputy {
		sub, err := s.core.Suggestions.SubmissionAs(r.Context(), by, id)
		if err != nil {
			return err
		}
		for _, c := range sub.Cosigners {
			out.Cosigners = append(out.Cosigners, cosignerJ{DeputyID: c.DeputyID, Name: c.Name, State: c.State,
				StateLabel: model.CosignLabel(c.State)})
		}
		for _, f := range sub.Files {
			out.Files = append(out.Files, fileRefJ{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size})
		}
	}
	out.Steps, out.Ratings = []step{}, []suggestionRatingJ{}
	for _, st := range rec.Steps {
		out.Steps = append(out.Steps, stepOf(st))
	}
	for _, rt := range rec.Ratings {
		out.Ratings = append(out.Ratings, suggestionRatingJ{DeputyID: rt.DeputyID, Contact: rt.Contact, Attitude: rt.Attitude,
			Result: rt.Result, Reason: rt.Reason, RatedAt: rt.RatedAt, RevisedAt: rt.RevisedAt})
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// suggestionCreate stores a suggestion: deputies by id, the deadline as
// 2026-06-30.
func suggestionCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in struct {
		Number       string  `json:"number"`
		Title        string  `json:"title"`
		Summary      string  `json:"summary"`
		Session      string  `json:"session"`
		LeadDeputyID int64   `json:"lead_deputy_id"`
		SeconderIDs  []int64 `json:"seconder_ids"`
		HostUnit     string  `json:"host_unit"`
		CoUnits      string  `json:"co_units"`
		Deadline     string  `json:"deadline"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sg := model.Suggestion{Number: in.Number, Title: in.Title, Summary: in.Summary, Session: in.Session,
		LeadDeputyID: in.LeadDeputyID, HostUnit: in.HostUnit, CoUnits: in.CoUnits}
	if in.Deadline != "" {
		t, ok := core.ParseDeadline(in.Deadline)
		if !ok {
			return append(core.CheckSuggestion(sg), &core.FieldError{Key: "deadline", Label: "办理期限", Value: in.Deadline, Msg: "格式应为 2026-06-30"})
		}
		sg.Deadline = &t
	}
	if err := s.core.Suggestions.CreateAs(r.Context(), by, &sg, in.SeconderIDs); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/suggestions/%d", sg.ID))
	httpkit.WriteJSON(w, http.StatusCreated, suggestionOf(sg))
	return nil
}

// suggestionStep is a handling unit's integration point: it records a
// step on one of the unit's own suggestions (another unit's is 404).
// kind is contacted, replied, concluded, rehandling or note (or its
// Chinese name); a reply needs reply_category (A–D) and its text in note;
// actor defaults to the token's unit, or its account's name.
func suggestionStep(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind          string `json:"kind"`
		ReplyCategory string `json:"reply_category"`
		Note          string `json:"note"`
		Actor         string `json:"actor"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	st := model.SuggestionStep{Kind: in.Kind, ReplyCategory: in.ReplyCategory, Note: in.Note, Actor: in.Actor}
	if strings.TrimSpace(st.Actor) == "" {
		st.Actor = core.DefaultActor(by)
	}
	after, err := s.core.Suggestions.RecordStepAs(r.Context(), by, id, &st)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusCreated, struct {
		Step       step       `json:"step"`
		Suggestion suggestion `json:"suggestion"`
	}{stepOf(st), suggestionOf(after)})
	return nil
}

// suggestionsImport imports the multipart field "file" (.xlsx or .csv).
// Any invalid row gives 422 with every row error, and nothing is written.
func suggestionsImport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, name, err := httpkit.SheetUpload(w, r)
	switch {
	case errors.Is(err, httpkit.ErrUploadTooLarge):
		return tooLarge(err.Error())
	case err != nil:
		return badRequest(err.Error())
	}
	defer f.Close()
	rep, err := s.core.Suggestions.ImportAs(r.Context(), by, f, name)
	rows := importRowErrors(rep.Errors)
	if refused, err := writeImportRefusal(w, err, "未导入任何建议。请修改后重新上传。", rep.Errors); refused || err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"file": name, "rows": rep.Rows, "created": rep.Created, "errors": rows})
	return nil
}

// rates are the figures of one unit (or overall, unit empty); rates are
// fractions 0–1.
type rates struct {
	HostUnit         string  `json:"host_unit,omitempty"`
	Total            int     `json:"total"`
	Replied          int     `json:"replied"`
	Concluded        int     `json:"concluded"`
	Rehandling       int     `json:"rehandling"`
	Rated            int     `json:"rated"`
	Satisfied        int     `json:"satisfied"` // 满意 and 基本满意
	Basic            int     `json:"basic"`
	Dissatisfied     int     `json:"dissatisfied"`
	ReplyRate        float64 `json:"reply_rate"`
	ConclusionRate   float64 `json:"conclusion_rate"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
}

func ratesOf(r core.Rates) rates {
	return rates{HostUnit: r.HostUnit, Total: r.Total, Replied: r.Replied, Concluded: r.Concluded,
		Rehandling: r.Rehandling, Rated: r.Rated, Satisfied: r.Satisfied, Basic: r.Basic, Dissatisfied: r.Dissatisfied,
		ReplyRate: r.ReplyRate, ConclusionRate: r.ConclusionRate, SatisfactionRate: r.SatisfactionRate}
}

// suggestionRates returns 答复率, 办结率 and 满意率 overall and per host
// unit, for one session (?session=) or all; a unit token sees its own.
func suggestionRates(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	session := httpkit.CleanText(r.URL.Query().Get("session"))
	overall, units, err := s.core.Suggestions.RatesAs(r.Context(), by, session)
	if err != nil {
		return err
	}
	out := struct {
		Session string  `json:"session,omitempty"`
		Overall rates   `json:"overall"`
		ByUnit  []rates `json:"by_unit"`
	}{Session: session, Overall: ratesOf(overall), ByUnit: []rates{}}
	for _, u := range units {
		out.ByUnit = append(out.ByUnit, ratesOf(u))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// writeImportRefusal answers a sheet refused as a whole (invalid rows:
// 422 with how many, what to do and every row error; an unreadable file:
// 422 with why) and reports whether it did; any other error is returned.
func writeImportRefusal(w http.ResponseWriter, err error, what string, errs []core.RowError) (bool, error) {
	switch {
	case errors.Is(err, core.ErrImportInvalid):
		httpkit.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"error": fmt.Sprintf("%d 行有错误，%s", core.ErrorRows(errs), what), "rows": importRowErrors(errs)})
		return true, nil
	case errors.Is(err, core.ErrImportFile):
		httpkit.WriteJSON(w, http.StatusUnprocessableEntity, errorBody{Error: core.ImportProblem(err)})
		return true, nil
	}
	return false, err
}
