package console

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// suggestionPageSize is the length of a page of the suggestion list.
const suggestionPageSize = 50

// suggestionQuery is the filter of the suggestion list, as written in the URL.
type suggestionQuery struct {
	Status, Unit, Session, Deputy, Number string
	Page                                  int
}

var suggestionStatuses = []string{model.SuggestionAssigned, model.SuggestionHandling, model.SuggestionReplied,
	model.SuggestionConcluded, model.SuggestionRehandling}

func parseSuggestionQuery(v url.Values) suggestionQuery {
	q := suggestionQuery{Unit: httpkit.CleanText(v.Get("unit")), Session: httpkit.CleanText(v.Get("session")),
		Deputy: httpkit.CleanText(v.Get("deputy")), Number: httpkit.CleanText(v.Get("number"))}
	if st := v.Get("status"); slices.Contains(suggestionStatuses, st) {
		q.Status = st
	}
	q.Page = pageParam(v)
	return q
}

// filter is the query as core reads it; core puts a unit account's own
// unit in place of the unit asked for.
func (q suggestionQuery) filter(per int) model.SuggestionFilter {
	f := model.SuggestionFilter{Status: q.Status, HostUnit: q.Unit,
		Session: q.Session, Number: q.Number, DeputyName: q.Deputy}
	if per > 0 {
		f.Limit, f.Offset = per, (q.Page-1)*per
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

// suggestionRow is one line of the list as shown.
type suggestionRow struct {
	model.SuggestionListItem
	StatusLabel string
	Deadline    string
	Overdue     bool
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

// unitOnly is what the pages say of the unit a unit account is limited to.
func unitOnly(by core.Actor) string {
	if unit, limited := core.UnitScope(by); limited {
		return orDefault(unit, "（未设置承办单位）")
	}
	return ""
}

func suggestionsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ctx := r.Context()
	q := parseSuggestionQuery(r.URL.Query())
	items, total, err := s.core.Suggestions.ListAs(ctx, by, q.filter(suggestionPageSize))
	if err != nil {
		return err
	}
	v := suggestionsView{Query: q, Statuses: core.SuggestionStatusChoices, CanCreate: slices.Contains(core.Editors, by.Role()),
		Rehandle: q.Status == model.SuggestionRehandling, UnitOnly: unitOnly(by),
		Pager: newPager(total, q.Page, suggestionPageSize, func(p int) string { return "/admin/suggestions?" + q.values(p).Encode() })}
	today := s.core.Now().In(s.core.Location()).Format(time.DateOnly)
	for _, it := range items {
		row := suggestionRow{SuggestionListItem: it, StatusLabel: core.SuggestionStatusLabel(it.Status), Deadline: fmtDay(it.Deadline)}
		if it.Deadline != nil && it.Status != model.SuggestionReplied && it.Status != model.SuggestionConcluded {
			row.Overdue = row.Deadline < today
		}
		v.Rows = append(v.Rows, row)
	}
	if slices.Contains(core.StepRecorders, by.Role()) {
		v.ExportURL = "/admin/suggestions/export?" + q.values(1).Encode()
	}
	if v.Units, v.Sessions, err = s.core.Suggestions.Choices(ctx, by); err != nil {
		return err
	}
	title := "代表建议"
	if v.Rehandle {
		title = "重新办理的建议"
	}
	s.render(w, r, http.StatusOK, "suggestions", page{Title: title, Nav: "suggestions", Me: by.Account, Data: v})
	return nil
}

// suggestionsExport downloads the suggestions matching the list's filters
// (a unit's own only) as Excel.
func suggestionsExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Suggestions.ExportAs(r.Context(), by, parseSuggestionQuery(r.URL.Query()).filter(0))
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}

// suggestionForm is the create form, as typed: deputies by name.
type suggestionForm struct {
	Number, Title, Summary, Session, Lead, Seconders, HostUnit, CoUnits, Deadline string
}

type suggestionFormView struct {
	Form     suggestionForm
	Errors   fieldErrors
	Units    []string
	Sessions []string
}

func (s *server) renderSuggestionForm(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v suggestionFormView) error {
	var err error
	if v.Units, v.Sessions, err = s.core.Suggestions.Choices(r.Context(), by); err != nil {
		return err
	}
	s.render(w, r, status, "suggestion_form", page{Title: "新增建议", Nav: "suggestions", Me: by.Account, Data: v})
	return nil
}

func suggestionNew(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderSuggestionForm(w, r, by, http.StatusOK, suggestionFormView{})
}

func suggestionCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	v := r.PostForm
	f := suggestionForm{Number: v.Get("number"), Title: v.Get("title"), Summary: v.Get("summary"),
		Session: v.Get("session"), Lead: v.Get("lead"), Seconders: v.Get("seconders"), HostUnit: v.Get("host_unit"),
		CoUnits: v.Get("co_units"), Deadline: strings.TrimSpace(v.Get("deadline"))}
	sg := model.Suggestion{Number: f.Number, Title: f.Title, Summary: f.Summary, Session: f.Session,
		HostUnit: f.HostUnit, CoUnits: f.CoUnits}
	var pre core.ValidationError
	if f.Deadline != "" {
		if t, ok := core.ParseDeadline(f.Deadline); ok {
			sg.Deadline = &t
		} else {
			pre = append(pre, &core.FieldError{Key: "deadline", Label: "办理期限", Value: f.Deadline, Msg: "格式应为 2026-06-30"})
		}
	}
	err := s.core.Suggestions.CreateByNamesAs(r.Context(), by, &sg, f.Lead, f.Seconders, pre)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderSuggestionForm(w, r, by, http.StatusUnprocessableEntity, suggestionFormView{Form: f, Errors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, "已新增建议 "+sg.Number+"。")
	http.Redirect(w, r, fmt.Sprintf("/admin/suggestions/%d", sg.ID), http.StatusSeeOther)
	return nil
}

// suggestionView is a suggestion's page: its fields, deputies, handling
// history and ratings, and the form to record the next step.
type suggestionView struct {
	S           model.Suggestion
	Summary     []string
	Reply       []string
	StatusLabel string
	Deadline    string
	Deputies    []suggestionDeputyView
	LinkDeputy  bool // the account may open deputies' pages
	Steps       []stepView
	Ratings     []ratingView
	CanRecord   bool
	Form        stepForm
	Errors      fieldErrors
	Kinds       []core.Choice
	Categories  []core.Choice
}

type suggestionDeputyView struct {
	ID         int64
	Name, Role string
}

type stepView struct {
	model.SuggestionStep
	KindLabel string
	Paras     []string // the note, paragraph by paragraph
}

type ratingView struct {
	model.SuggestionRating
	DeputyName                string
	Contact, Attitude, Result string
	Dissatisfied              bool
}

// stepForm is the record-a-step form, as typed.
type stepForm struct {
	Kind, ReplyCategory, Note, Actor string
}

// renderSuggestion shows suggestion id with the step form v carries.
func (s *server) renderSuggestion(w http.ResponseWriter, r *http.Request, by core.Actor, status int, id int64, form stepForm, errs fieldErrors) error {
	rec, err := s.core.Suggestions.RecordAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	sg := rec.Suggestion
	v := suggestionView{S: sg, StatusLabel: core.SuggestionStatusLabel(sg.Status), Deadline: fmtDay(sg.Deadline),
		LinkDeputy: slices.Contains(core.Viewers, by.Role()), CanRecord: slices.Contains(core.StepRecorders, by.Role()),
		Kinds: core.StepKindChoices, Categories: core.ReplyCategoryChoices,
		Summary: lines(sg.Summary), Reply: lines(sg.ReplyText), Form: form, Errors: errs}
	names := map[int64]string{}
	for _, d := range sg.Deputies {
		role := "附议"
		if d.Role == model.RoleLead {
			role = "领衔"
		}
		names[d.DeputyID] = d.Name
		v.Deputies = append(v.Deputies, suggestionDeputyView{ID: d.DeputyID, Name: d.Name, Role: role})
	}
	for _, st := range rec.Steps {
		v.Steps = append(v.Steps, stepView{SuggestionStep: st, KindLabel: core.StepKindLabel(st.Kind), Paras: lines(st.Note)})
	}
	for _, rt := range rec.Ratings {
		v.Ratings = append(v.Ratings, ratingView{SuggestionRating: rt, DeputyName: orDefault(names[rt.DeputyID], "（已不在建议上）"),
			Contact: core.ContactLabel(rt.Contact), Attitude: core.SatisfactionLabel(rt.Attitude),
			Result:       core.SatisfactionLabel(rt.Result),
			Dissatisfied: rt.Result == model.RatingDissatisfied || rt.Attitude == model.RatingDissatisfied})
	}
	s.render(w, r, status, "suggestion", page{Title: sg.Number + " " + sg.Title, Nav: "suggestions", Me: by.Account, Data: v})
	return nil
}

func suggestionShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	return s.renderSuggestion(w, r, by, http.StatusOK, id, stepForm{Actor: core.DefaultActor(by)}, nil)
}

// suggestionStep records a handling step; the deputies on the suggestion
// hear of a reply, a conclusion or a re-handling through core's pushes.
func suggestionStep(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	f := stepForm{Kind: r.PostFormValue("kind"), ReplyCategory: r.PostFormValue("reply_category"),
		Note: r.PostFormValue("note"), Actor: r.PostFormValue("actor")}
	st := model.SuggestionStep{Kind: f.Kind, ReplyCategory: f.ReplyCategory, Note: f.Note, Actor: f.Actor}
	_, err = s.core.Suggestions.RecordStepAs(r.Context(), by, id, &st)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderSuggestion(w, r, by, http.StatusUnprocessableEntity, id, f, fe)
	} else if err != nil {
		return err
	}
	s.flash(r, "已记录“"+core.StepKindLabel(st.Kind)+"”。")
	http.Redirect(w, r, fmt.Sprintf("/admin/suggestions/%d", id), http.StatusSeeOther)
	return nil
}

type suggestionImportView struct {
	Done     bool
	Filename string
	Error    string
	Report   core.SuggestionImportReport
	Shown    []core.RowError
	More     int
}

func suggestionImportForm(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	s.render(w, r, http.StatusOK, "suggestion_import", page{Title: "导入代表建议", Nav: "suggestions", Me: by.Account, Data: suggestionImportView{}})
	return nil
}

// maxShownRowErrs bounds the row errors an import's page lists.
const maxShownRowErrs = 500

// importOutcome is what an import's page says of err: the problem and its
// status for a sheet refused (invalid rows: how many, and then what to
// do), err itself for anything else.
func importOutcome(err error, what string, rows []core.RowError) (msg string, status int, _ error) {
	switch {
	case errors.Is(err, core.ErrImportInvalid):
		return fmt.Sprintf("%d 行有错误，%s", core.ErrorRows(rows), what), http.StatusUnprocessableEntity, nil
	case errors.Is(err, core.ErrImportFile):
		return core.ImportProblem(err), http.StatusUnprocessableEntity, nil
	case err != nil:
		return "", 0, err
	}
	return "", http.StatusOK, nil
}

// suggestionImport imports an uploaded sheet and shows its report, every
// row error included, in the page.
func suggestionImport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	v := suggestionImportView{Done: true}
	status := http.StatusOK
	f, name, err := httpkit.SheetUpload(w, r)
	switch {
	case errors.Is(err, httpkit.ErrUploadTooLarge):
		v.Error, status = err.Error(), http.StatusRequestEntityTooLarge
	case err != nil:
		return badInput(err.Error())
	default:
		defer f.Close()
		v.Filename = name
		v.Report, err = s.core.Suggestions.ImportAs(r.Context(), by, f, v.Filename)
		if v.Error, status, err = importOutcome(err, "未导入任何建议。请修改后重新上传。", v.Report.Errors); err != nil {
			return err
		}
	}
	v.Shown = v.Report.Errors[:min(len(v.Report.Errors), maxShownRowErrs)]
	v.More = len(v.Report.Errors) - len(v.Shown)
	s.render(w, r, status, "suggestion_import", page{Title: "导入代表建议", Nav: "suggestions", Me: by.Account, Data: v})
	return nil
}

// rateRow is one line of the rates table, the rates as percentages.
type rateRow struct {
	core.Rates
	Unit                                string
	ReplyPct, ConclusionPct, Satisfying string
}

func percent(f float64) float64 { return math.Round(f*1000) / 10 }

func pctText(f float64) string { return fmt.Sprintf("%.1f%%", percent(f)) }

func rateRowOf(r core.Rates) rateRow {
	return rateRow{Rates: r, Unit: orDefault(r.HostUnit, "（未填写）"), ReplyPct: pctText(r.ReplyRate),
		ConclusionPct: pctText(r.ConclusionRate), Satisfying: pctText(r.SatisfactionRate)}
}

type ratesView struct {
	Session  string
	Sessions []string
	UnitOnly string
	Overall  rateRow
	Units    []rateRow
	Chart    chart
}

// ratesChart is the grouped bar chart of the three rates per unit.
func ratesChart(units []core.Rates) chart {
	c := chart{Kind: "bar", Percent: true, Categories: []string{}, Series: []chartSeries{
		{Name: "答复率", Data: []float64{}}, {Name: "办结率", Data: []float64{}}, {Name: "满意率", Data: []float64{}}}}
	for _, u := range units {
		c.Categories = append(c.Categories, orDefault(u.HostUnit, "（未填写）"))
		c.Series[0].Data = append(c.Series[0].Data, percent(u.ReplyRate))
		c.Series[1].Data = append(c.Series[1].Data, percent(u.ConclusionRate))
		c.Series[2].Data = append(c.Series[2].Data, percent(u.SatisfactionRate))
	}
	return c
}

// ratesPage is 三率: 答复率, 办结率 and 满意率 overall and per unit.
func ratesPage(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ctx := r.Context()
	v := ratesView{Session: httpkit.CleanText(r.URL.Query().Get("session")), UnitOnly: unitOnly(by)}
	var err error
	if _, v.Sessions, err = s.core.Suggestions.Choices(ctx, by); err != nil {
		return err
	}
	overall, units, err := s.core.Suggestions.RatesAs(ctx, by, v.Session)
	if err != nil {
		return err
	}
	v.Overall = rateRowOf(overall)
	for _, u := range units {
		v.Units = append(v.Units, rateRowOf(u))
	}
	v.Chart = ratesChart(units)
	s.render(w, r, http.StatusOK, "rates", page{Title: "建议办理“三率”", Nav: "suggestions", Me: by.Account, Data: v})
	return nil
}
