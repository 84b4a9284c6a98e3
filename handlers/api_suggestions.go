package handlers

import (
	"net/http"
	"strconv"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/suggestions", everyone, apiSuggestionsList)
	apiRoute(http.MethodGet, "/api/v1/suggestions/{id}", everyone, apiSuggestionGet)
}

// apiSuggestion is a suggestion as the API shows it; deputies, steps and
// ratings are filled in on the single-suggestion routes only.
type apiSuggestion struct {
	ID             int64                 `json:"id"`
	Number         string                `json:"number"`
	Title          string                `json:"title"`
	Summary        string                `json:"summary"`
	Session        string                `json:"session"`
	LeadDeputyID   int64                 `json:"lead_deputy_id"`
	LeadName       string                `json:"lead_name,omitempty"`
	HostUnit       string                `json:"host_unit"`
	CoUnits        string                `json:"co_units"`
	Status         string                `json:"status"`
	StatusLabel    string                `json:"status_label"`
	Deadline       string                `json:"deadline,omitempty"`
	ReplyCategory  string                `json:"reply_category,omitempty"`
	ReplyText      string                `json:"reply_text,omitempty"`
	RepliedAt      *time.Time            `json:"replied_at,omitempty"`
	ConcludedAt    *time.Time            `json:"concluded_at,omitempty"`
	RehandleReason string                `json:"rehandle_reason,omitempty"`
	CreatedAt      time.Time             `json:"created_at"`
	UpdatedAt      time.Time             `json:"updated_at"`
	Deputies       []apiSuggestionDeputy `json:"deputies,omitempty"`
	Steps          []apiStep             `json:"steps,omitempty"`
	Ratings        []apiRating           `json:"ratings,omitempty"`
}

type apiSuggestionDeputy struct {
	DeputyID int64  `json:"deputy_id"`
	Name     string `json:"name"`
	Role     string `json:"role"` // lead or second
}

type apiStep struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	KindLabel string    `json:"kind_label"`
	Actor     string    `json:"actor"`
	Note      string    `json:"note"`
}

type apiRating struct {
	DeputyID  int64      `json:"deputy_id"`
	Contact   string     `json:"contact"`
	Attitude  string     `json:"attitude"`
	Result    string     `json:"result"`
	Reason    string     `json:"reason"`
	RatedAt   time.Time  `json:"rated_at"`
	RevisedAt *time.Time `json:"revised_at,omitempty"`
}

func apiSuggestionOf(sg model.Suggestion) apiSuggestion {
	out := apiSuggestion{ID: sg.ID, Number: sg.Number, Title: sg.Title, Summary: sg.Summary, Session: sg.Session,
		LeadDeputyID: sg.LeadDeputyID, HostUnit: sg.HostUnit, CoUnits: sg.CoUnits, Status: sg.Status,
		StatusLabel: core.SuggestionStatusLabel(sg.Status), Deadline: fmtDay(sg.Deadline), ReplyCategory: sg.ReplyCategory,
		ReplyText: sg.ReplyText, RepliedAt: sg.RepliedAt, ConcludedAt: sg.ConcludedAt, RehandleReason: sg.RehandleReason,
		CreatedAt: sg.CreatedAt, UpdatedAt: sg.UpdatedAt}
	for _, d := range sg.Deputies {
		out.Deputies = append(out.Deputies, apiSuggestionDeputy{DeputyID: d.DeputyID, Name: d.Name, Role: d.Role})
		if d.Role == model.RoleLead {
			out.LeadName = d.Name
		}
	}
	return out
}

func apiStepOf(st model.SuggestionStep) apiStep {
	return apiStep{ID: st.ID, At: st.At, Kind: st.Kind, KindLabel: core.StepKindLabel(st.Kind), Actor: st.Actor, Note: st.Note}
}

type apiSuggestionPage struct {
	Total       int             `json:"total"`
	Page        int             `json:"page"`
	PerPage     int             `json:"per_page"`
	Suggestions []apiSuggestion `json:"suggestions"`
}

// perPage reads per_page (1–500, default def).
func perPage(r *http.Request, def int) (int, error) {
	v := r.URL.Query().Get("per_page")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 500 {
		return 0, badRequest("per_page 应为 1 到 500 之间的整数")
	}
	return n, nil
}

// apiSuggestionsList pages through the suggestions the account may see
// with the console's filters (status, unit, session, deputy, number).
func apiSuggestionsList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	q := parseSuggestionQuery(r.URL.Query())
	per, err := perPage(r, suggestionPageSize)
	if err != nil {
		return err
	}
	items, total, err := s.listSuggestions(r.Context(), me, q, per)
	if err != nil {
		return err
	}
	out := apiSuggestionPage{Total: total, Page: q.Page, PerPage: per, Suggestions: []apiSuggestion{}}
	for _, it := range items {
		a := apiSuggestionOf(it.Suggestion)
		a.LeadName = it.LeadName
		out.Suggestions = append(out.Suggestions, a)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiSuggestionGet returns a suggestion with its deputies, steps and
// ratings; another unit's suggestion is 404.
func apiSuggestionGet(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	sg, err := s.suggestionOfPath(r, me)
	if err != nil {
		return err
	}
	out, err := s.apiSuggestionFull(r, sg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *server) apiSuggestionFull(r *http.Request, sg model.Suggestion) (apiSuggestion, error) {
	svc := s.suggestions()
	out := apiSuggestionOf(sg)
	steps, err := svc.Steps(r.Context(), sg.ID)
	if err != nil {
		return out, err
	}
	out.Steps = []apiStep{}
	for _, st := range steps {
		out.Steps = append(out.Steps, apiStepOf(st))
	}
	ratings, err := svc.Ratings(r.Context(), sg.ID)
	if err != nil {
		return out, err
	}
	out.Ratings = []apiRating{}
	for _, rt := range ratings {
		out.Ratings = append(out.Ratings, apiRating{DeputyID: rt.DeputyID, Contact: rt.Contact, Attitude: rt.Attitude,
			Result: rt.Result, Reason: rt.Reason, RatedAt: rt.RatedAt, RevisedAt: rt.RevisedAt})
	}
	return out, nil
}
