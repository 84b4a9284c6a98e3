package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/supervision", everyone, apiSupervisionOverview)
	apiRoute(http.MethodGet, "/api/v1/supervision/rates", everyone, apiSupervisionRates)
	apiRoute(http.MethodPost, "/api/v1/suggestions/{id}/extensions", stepRecorders, apiExtensionRequest)
	apiRoute(http.MethodPost, "/api/v1/extensions/{id}/decide", editors, apiExtensionDecide)
	apiRoute(http.MethodPost, "/api/v1/suggestions/{id}/promise", editors, apiPromiseSet)
}

// supervisionKeys names the JSON properties of core's supervision fields.
var supervisionKeys = mapKeys(map[string]string{"延期至": "new_deadline", "延期理由": "reason", "建议": "suggestion",
	"延期申请": "extension", "审批意见": "note", "承诺期限": "promise_date", "审批结果": "decision"})

// apiDate reads an optional yyyy-mm-dd property: the zero time when empty,
// a validation error on field when malformed.
func apiDate(v, field string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, core.ValidationError{{Label: field, Value: v, Msg: "格式应为 2026-08-01"}}
	}
	return t, nil
}

// apiDay formats a calendar date; "" for the zero time.
func apiDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// apiSupervised is one suggestion as 督办 sees it; dates are yyyy-mm-dd.
type apiSupervised struct {
	ID                int64    `json:"id"`
	Number            string   `json:"number"`
	Title             string   `json:"title"`
	Session           string   `json:"session"`
	HostUnit          string   `json:"host_unit"`
	Status            string   `json:"status"`
	StatusLabel       string   `json:"status_label"`
	Assigned          string   `json:"assigned"`
	Deadline          string   `json:"deadline"`
	Limit             string   `json:"limit"`
	DaysLeft          int      `json:"days_left"`
	OverdueDays       int      `json:"overdue_days"`
	PendingExtensions int      `json:"pending_extensions"`
	ReplyCategory     string   `json:"reply_category,omitempty"`
	PromiseDue        string   `json:"promise_due,omitempty"`
	Reasons           []string `json:"reasons,omitempty"`
}

func apiSupervisedOf(v core.Supervised) apiSupervised {
	out := apiSupervised{ID: v.ID, Number: v.Number, Title: v.Title, Session: v.Session, HostUnit: v.HostUnit,
		Status: v.Status, StatusLabel: v.StatusLabel(), Assigned: apiDay(v.Assigned), Deadline: apiDay(v.Deadline),
		Limit: apiDay(v.Limit), DaysLeft: v.DaysLeft, OverdueDays: v.OverdueDays(), PendingExtensions: v.Pending,
		ReplyCategory: v.ReplyCategory, Reasons: v.Reasons}
	if v.PromiseDue != nil {
		out.PromiseDue = apiDay(*v.PromiseDue)
	}
	return out
}

func apiSupervisedList(vs []core.Supervised) []apiSupervised {
	out := make([]apiSupervised, len(vs))
	for i, v := range vs {
		out[i] = apiSupervisedOf(v)
	}
	return out
}

// apiExtension is an extension request.
type apiExtension struct {
	ID           int64      `json:"id"`
	SuggestionID int64      `json:"suggestion_id"`
	Number       string     `json:"number,omitempty"`
	Title        string     `json:"title,omitempty"`
	Unit         string     `json:"unit"`
	OldDeadline  string     `json:"old_deadline"`
	NewDeadline  string     `json:"new_deadline"`
	Reason       string     `json:"reason"`
	Status       string     `json:"status"`
	RequestedBy  string     `json:"requested_by"`
	RequestedAt  time.Time  `json:"requested_at"`
	DecidedBy    string     `json:"decided_by,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	DecisionNote string     `json:"decision_note,omitempty"`
}

func apiExtensionOf(e model.Extension) apiExtension {
	return apiExtension{ID: e.ID, SuggestionID: e.SuggestionID, Number: e.Number, Title: e.Title, Unit: e.Unit,
		OldDeadline: apiDay(e.OldDeadline), NewDeadline: apiDay(e.NewDeadline), Reason: e.Reason, Status: e.Status,
		RequestedBy: e.RequestedBy, RequestedAt: e.RequestedAt, DecidedBy: e.DecidedBy, DecidedAt: e.DecidedAt,
		DecisionNote: e.DecisionNote}
}

type apiUnitOverdue struct {
	HostUnit string `json:"host_unit"`
	Past     int    `json:"past"`
	Near     int    `json:"near"`
	Open     int    `json:"open"`
}

type apiOverview struct {
	Session   string           `json:"session,omitempty"`
	Unit      string           `json:"unit,omitempty"` // the unit a unit token is limited to
	Today     string           `json:"today"`
	NearDays  int              `json:"near_days"`
	Past      []apiSupervised  `json:"past"`
	Near      []apiSupervised  `json:"near"`
	Lookback  []apiSupervised  `json:"lookback"`
	NoPromise []apiSupervised  `json:"no_promise"`
	Units     []apiUnitOverdue `json:"units"`
	Pending   []apiExtension   `json:"pending_extensions"`
}

// supervisionUnit is the unit filter of me: "" for every unit; a unit
// account without a unit sees nothing.
func supervisionUnit(me model.Account) (unit string, limited bool) {
	unit, limited = unitScope(me)
	if limited && unit == "" {
		return "\x00", true
	}
	return unit, limited
}

// apiSupervisionOverview is the 督办 page as JSON: overdue and near
// suggestions, 回头看, B/C replies without a promise date, counts per
// unit and the pending extension requests; a unit token sees its own.
func apiSupervisionOverview(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	session := cleanText(r.URL.Query().Get("session"))
	unit, limited := supervisionUnit(me)
	o, err := s.supervision().Overview(r.Context(), model.SupervisionFilter{Session: session, HostUnit: unit})
	if err != nil {
		return err
	}
	out := apiOverview{Session: session, Today: apiDay(o.Today), NearDays: core.NearDays, Past: apiSupervisedList(o.Past),
		Near: apiSupervisedList(o.Near), Lookback: apiSupervisedList(o.Lookback), NoPromise: apiSupervisedList(o.NoPromise),
		Units: []apiUnitOverdue{}, Pending: []apiExtension{}}
	if limited {
		out.Unit = me.Unit
	}
	for _, u := range o.Units {
		out.Units = append(out.Units, apiUnitOverdue{HostUnit: u.HostUnit, Past: u.Past, Near: u.Near, Open: u.Open})
	}
	for _, e := range o.Pending {
		out.Pending = append(out.Pending, apiExtensionOf(e))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiSupervisionRate is apiRates plus 见面率.
type apiSupervisionRate struct {
	apiRates
	Session          string  `json:"session,omitempty"`
	RatedSuggestions int     `json:"rated_suggestions"`
	Face             int     `json:"face"`
	FaceRate         float64 `json:"face_rate"`
}

func apiSupervisionRateOf(r core.SupervisionRates) apiSupervisionRate {
	return apiSupervisionRate{apiRates: apiRatesOf(r.Rates), RatedSuggestions: r.RatedSuggestions, Face: r.Face, FaceRate: r.FaceRate}
}

type apiSupervisionRatesReport struct {
	Session   string               `json:"session,omitempty"`
	Overall   apiSupervisionRate   `json:"overall"`
	ByUnit    []apiSupervisionRate `json:"by_unit"`
	BySession []apiSupervisionRate `json:"by_session"`
}

// apiSupervisionRates returns the four rates (with 见面率) overall, per
// unit for ?session= (or all), and overall per session.
func apiSupervisionRates(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	session := cleanText(r.URL.Query().Get("session"))
	unit, _ := supervisionUnit(me)
	sv := s.supervision()
	overall, units, err := sv.Rates(ctx, model.SuggestionRatesFilter{Session: session, HostUnit: unit})
	if err != nil {
		return err
	}
	sessions, err := sv.RatesBySession(ctx, unit)
	if err != nil {
		return err
	}
	out := apiSupervisionRatesReport{Session: session, Overall: apiSupervisionRateOf(overall), ByUnit: []apiSupervisionRate{},
		BySession: []apiSupervisionRate{}}
	for _, u := range units {
		out.ByUnit = append(out.ByUnit, apiSupervisionRateOf(u))
	}
	for _, ss := range sessions {
		x := apiSupervisionRateOf(ss.SupervisionRates)
		x.Session = ss.Session
		out.BySession = append(out.BySession, x)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type apiExtensionInput struct {
	NewDeadline string `json:"new_deadline"`
	Reason      string `json:"reason"`
}

// apiExtensionRequest asks for a later deadline: a unit for its own
// suggestions (another unit's is 404), staff on a unit's behalf.
func apiExtensionRequest(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	sg, err := s.suggestionOfPath(r, me)
	if err != nil {
		return err
	}
	var in apiExtensionInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	day, err := apiDate(in.NewDeadline, "延期至")
	if err != nil {
		return writeAPIValidation(w, err, supervisionKeys)
	}
	unit, _ := unitScope(me)
	e, err := s.supervision().RequestExtension(r.Context(), core.ExtensionRequest{SuggestionID: sg.ID,
		NewDeadline: day, Reason: in.Reason, By: orDefault(me.Name, me.Username), Unit: unit})
	if err != nil {
		return writeAPIValidation(w, err, supervisionKeys)
	}
	s.audit(r, me, "supervision.extension.request", suggestionObject(sg.ID),
		fmt.Sprintf("%s 申请延期至 %s", sg.Number, e.NewDeadline.Format(time.DateOnly)))
	writeJSON(w, http.StatusCreated, apiExtensionOf(e))
	return nil
}

type apiDecisionInput struct {
	Decision string `json:"decision"` // approve or reject
	Note     string `json:"note"`
}

// apiExtensionDecide approves or rejects a pending extension request.
func apiExtensionDecide(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	var in apiDecisionInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Decision != "approve" && in.Decision != "reject" {
		if _, err := s.d.DB.GetExtension(r.Context(), id); err != nil {
			return err
		}
		return writeAPIValidation(w, core.ValidationError{{Key: "decision", Label: "审批结果", Value: in.Decision, Msg: "应为 approve 或 reject"}}, supervisionKeys)
	}
	approve := in.Decision == "approve"
	e, err := s.supervision().DecideExtension(r.Context(), id, approve, orDefault(me.Name, me.Username), in.Note)
	if err != nil {
		return writeAPIValidation(w, err, supervisionKeys)
	}
	word := "未批准"
	if approve {
		word = "已批准"
	}
	s.audit(r, me, "supervision.extension.decide", suggestionObject(e.SuggestionID),
		fmt.Sprintf("%s 延期至 %s：%s", e.Number, e.NewDeadline.Format(time.DateOnly), word))
	writeJSON(w, http.StatusOK, apiExtensionOf(e))
	return nil
}

type apiPromiseInput struct {
	PromiseDate string `json:"promise_date"`
}

// apiPromiseSet records the promise date of a B/C reply; the suggestion
// joins 回头看 once it passes. Answers with the suggestion as 督办 sees it.
func apiPromiseSet(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	sg, err := s.suggestionOfPath(r, me)
	if err != nil {
		return err
	}
	var in apiPromiseInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	date, err := apiDate(in.PromiseDate, "承诺期限")
	if err != nil {
		return writeAPIValidation(w, err, supervisionKeys)
	}
	sv := s.supervision()
	if err := sv.SetPromise(r.Context(), sg.ID, date, orDefault(me.Name, me.Username)); err != nil {
		return writeAPIValidation(w, err, supervisionKeys)
	}
	s.audit(r, me, "supervision.promise", suggestionObject(sg.ID), fmt.Sprintf("%s 承诺期限 %s", sg.Number, date.Format(time.DateOnly)))
	v, err := sv.Get(r.Context(), sg.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiSupervisedOf(v))
	return nil
}
