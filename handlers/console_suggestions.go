package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// This file holds what the suggestion pages and API share: the services,
// the unit scoping, the list filter and the list page itself.

func init() { consoleRoute(http.MethodGet, "/admin/suggestions", everyone, suggestionsList) }

// Roles of the suggestion routes beyond the shared sets: a handling unit
// records steps on, and exports, its own suggestions.
var (
	stepRecorders       = []string{model.RoleAdmin, model.RoleStaff, model.RoleUnit}
	suggestionExporters = []string{model.RoleAdmin, model.RoleStaff, model.RoleUnit}
)

// suggestionPageSize is the length of a page of the suggestion list.
const suggestionPageSize = 50

// maxTextForm bounds a form carrying long text (a reply of 20,000
// characters is 180 kB once URL-encoded).
const maxTextForm = 1 << 20

// parseTextForm reads a url-encoded form of at most maxTextForm bytes.
func parseTextForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxTextForm)
	return r.ParseForm() == nil
}

// The services are stateless wrappers over the database: built per use,
// on the console's clock.
func (s *server) suggestions() *core.Suggestions {
	sv := core.NewSuggestions(s.d.DB)
	sv.Now = s.d.Now
	return sv
}

func (s *server) opinions() *core.Opinions {
	o := core.NewOpinions(s.d.DB)
	o.SetClock(s.d.Now)
	return o
}

// unitScope returns the host unit me is limited to. limited is false for
// roles that see every suggestion; a unit account without a unit sees none.
func unitScope(me model.Account) (unit string, limited bool) {
	if me.Role == model.RoleUnit {
		return me.Unit, true
	}
	return "", false
}

// seesSuggestion reports whether me may see (and, if a unit, act on) sg.
func seesSuggestion(me model.Account, sg model.Suggestion) bool {
	unit, limited := unitScope(me)
	return !limited || (unit != "" && sg.HostUnit == unit)
}

// suggestionOfPath returns the suggestion of the {id} path value; another
// unit's suggestion is "not found", so its existence is not revealed.
func (s *server) suggestionOfPath(r *http.Request, me model.Account) (model.Suggestion, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return model.Suggestion{}, err
	}
	sg, err := s.suggestions().Get(r.Context(), id)
	if err != nil {
		return model.Suggestion{}, err
	}
	if !seesSuggestion(me, sg) {
		return model.Suggestion{}, fmt.Errorf("suggestion %d of another unit: %w", id, model.ErrNotFound)
	}
	return sg, nil
}

// suggestionQuery is the filter of the suggestion list, as written in the URL.
type suggestionQuery struct {
	Status, Unit, Session, Deputy, Number string
	Page                                  int
}

var suggestionStatuses = []string{model.SuggestionAssigned, model.SuggestionHandling, model.SuggestionReplied,
	model.SuggestionConcluded, model.SuggestionRehandling}

func parseSuggestionQuery(v url.Values) suggestionQuery {
	q := suggestionQuery{Status: oneOf(v.Get("status"), suggestionStatuses...), Unit: cleanText(v.Get("unit")),
		Session: cleanText(v.Get("session")), Deputy: cleanText(v.Get("deputy")), Number: cleanText(v.Get("number"))}
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.Page = min(max(q.Page, 1), 100000)
	return q
}

// filter turns the query into a storage query for me: a unit's own unit
// replaces whatever unit was asked for.
func (q suggestionQuery) filter(me model.Account) model.SuggestionQuery {
	f := model.SuggestionQuery{SuggestionFilter: model.SuggestionFilter{Status: q.Status, HostUnit: q.Unit,
		Session: q.Session}, Number: q.Number, DeputyName: q.Deputy}
	if unit, limited := unitScope(me); limited {
		f.HostUnit = unit
	}
	return f
}

func (q suggestionQuery) values(page int) url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"status": q.Status, "unit": q.Unit, "session": q.Session,
		"deputy": q.Deputy, "number": q.Number} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

// listSuggestions returns a page of the suggestions me may see.
func (s *server) listSuggestions(ctx context.Context, me model.Account, q suggestionQuery, per int) ([]model.SuggestionListItem, int, error) {
	if unit, limited := unitScope(me); limited && unit == "" {
		return nil, 0, nil
	}
	f := q.filter(me)
	f.Limit, f.Offset = per, (q.Page-1)*per
	return s.d.DB.ListSuggestionItems(ctx, f)
}

// suggestionRow is one line of the list as shown.
type suggestionRow struct {
	model.SuggestionListItem
	StatusLabel string
	Deadline    string
	Overdue     bool
}

func (s *server) suggestionRowOf(it model.SuggestionListItem) suggestionRow {
	row := suggestionRow{SuggestionListItem: it, StatusLabel: core.SuggestionStatusLabel(it.Status), Deadline: fmtDay(it.Deadline)}
	if it.Deadline != nil && it.Status != model.SuggestionReplied && it.Status != model.SuggestionConcluded {
		today := s.d.Now().In(s.d.Loc).Format(time.DateOnly)
		row.Overdue = fmtDay(it.Deadline) < today
	}
	return row
}

type suggestionsView struct {
	Query     suggestionQuery
	Rows      []suggestionRow
	Pager     pager
	Statuses  []core.Choice
	Units     []string
	Sessions  []string
	UnitOnly  string // the unit a unit account is limited to
	CanCreate bool
	ExportURL string
	Rehandle  bool // the 重新办理 list: reasons shown
}

func suggestionsList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	q := parseSuggestionQuery(r.URL.Query())
	items, total, err := s.listSuggestions(ctx, me, q, suggestionPageSize)
	if err != nil {
		return err
	}
	v := suggestionsView{Query: q, Statuses: core.SuggestionStatusChoices, CanCreate: slices.Contains(editors, me.Role),
		Rehandle: q.Status == model.SuggestionRehandling,
		Pager:    newPager(total, q.Page, suggestionPageSize, func(p int) string { return "/admin/suggestions?" + q.values(p).Encode() })}
	for _, it := range items {
		v.Rows = append(v.Rows, s.suggestionRowOf(it))
	}
	if slices.Contains(suggestionExporters, me.Role) {
		v.ExportURL = "/admin/suggestions/export?" + q.values(1).Encode()
	}
	if unit, limited := unitScope(me); limited {
		v.UnitOnly = orDefault(unit, "（未设置承办单位）")
	} else if v.Units, err = s.d.DB.SuggestionUnits(ctx); err != nil {
		return err
	}
	if v.Sessions, err = s.d.DB.SuggestionSessions(ctx); err != nil {
		return err
	}
	title := "代表建议"
	if v.Rehandle {
		title = "重新办理的建议"
	}
	s.render(w, r, http.StatusOK, "suggestions", page{Title: title, Nav: "suggestions", Me: me, Data: v})
	return nil
}

// formErrors maps a validation error to the fields of one form: keys
// names the form field of each of core's Chinese field names; other
// messages go to "general".
func formErrors(err error, keys func(field string) string) (fieldErrors, bool) {
	var verr core.ValidationError
	var ferr *core.FieldError
	switch {
	case errors.As(err, &verr):
	case errors.As(err, &ferr):
		verr = core.ValidationError{ferr}
	default:
		return nil, false
	}
	out := fieldErrors{}
	for _, e := range verr {
		key, msg := keys(e.Label), e.Msg
		if e.Key != "" {
			key = e.Key
		}
		if key == "" {
			key, msg = "general", e.Label+"："+e.Msg
		}
		if out[key] != "" {
			msg = out[key] + "；" + msg
		}
		out[key] = msg
	}
	return out, true
}

// mapKeys looks field names up in m.
func mapKeys(m map[string]string) func(string) string {
	return func(f string) string { return m[f] }
}

// writeAPIValidation answers a validation error with 422 and the fields at
// fault named by keys; it returns any other error unchanged (nil once
// written).
func writeAPIValidation(w http.ResponseWriter, err error, keys func(string) string) error {
	var verr core.ValidationError
	var ferr *core.FieldError
	switch {
	case errors.As(err, &verr):
	case errors.As(err, &ferr):
		verr = core.ValidationError{ferr}
	default:
		return err
	}
	body := apiErrorBody{Error: "数据有误，请按 fields 修改后重试"}
	for _, e := range verr {
		key := e.Key
		if key == "" {
			key = keys(e.Label)
		}
		body.Fields = append(body.Fields, apiFieldError{Field: key, Label: e.Label, Message: e.Msg})
	}
	writeJSON(w, http.StatusUnprocessableEntity, body)
	return nil
}
