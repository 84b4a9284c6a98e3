package api

import (
	"net/http"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// day formats a calendar date; "" for the zero time.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// supervised is one suggestion as 督办 sees it; dates are yyyy-mm-dd.
type supervised struct {
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

func supervisedOf(v core.Supervised) supervised {
	out := supervised{ID: v.ID, Number: v.Number, Title: v.Title, Session: v.Session, HostUnit: v.HostUnit,
		Status: v.Status, StatusLabel: v.StatusLabel(), Assigned: day(v.Assigned), Deadline: day(v.Deadline),
		Limit: day(v.Limit), DaysLeft: v.DaysLeft, OverdueDays: v.OverdueDays(), PendingExtensions: v.Pending,
		ReplyCategory: v.ReplyCategory, Reasons: v.Reasons}
	if v.PromiseDue != nil {
		out.PromiseDue = day(*v.PromiseDue)
	}
	return out
}

func supervisedList(vs []core.Supervised) []supervised {
	out := make([]supervised, len(vs))
	for i, v := range vs {
		out[i] = supervisedOf(v)
	}
	return out
}

// extension is an extension request.
type extension struct {
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

func extensionOf(e model.Extension) extension {
	return extension{ID: e.ID, SuggestionID: e.SuggestionID, Number: e.Number, Title: e.Title, Unit: e.Unit,
		OldDeadline: day(e.OldDeadline), NewDeadline: day(e.NewDeadline), Reason: e.Reason, Status: e.Status,
		RequestedBy: e.RequestedBy, RequestedAt: e.RequestedAt, DecidedBy: e.DecidedBy, DecidedAt: e.DecidedAt,
		DecisionNote: e.DecisionNote}
}

type unitOverdue struct {
	HostUnit string `json:"host_unit"`
	Past     int    `json:"past"`
	Near     int    `json:"near"`
	Open     int    `json:"open"`
}

type overview struct {
	Session   string        `json:"session,omitempty"`
	Unit      string        `json:"unit,omitempty"` // the unit a unit token is limited to
	Today     string        `json:"today"`
	NearDays  int           `json:"near_days"`
	Past      []supervised  `json:"past"`
	Near      []supervised  `json:"near"`
	Lookback  []supervised  `json:"lookback"`
	NoPromise []supervised  `json:"no_promise"`
	Units     []unitOverdue `json:"units"`
	Pending   []extension   `json:"pending_extensions"`
	// Unreached are the suggestions whose units have no bound WeChat to
	// be told of them.
	Unreached []unreached `json:"unreached"`
}

// unreached is a suggestion some of whose units cannot be told in WeChat.
type unreached struct {
	supervised
	Units  []string `json:"unbound_units"`
	Reason string   `json:"reason"`
}

// supervisionOverview is the 督办 page as JSON: overdue and near
// suggestions, 回头看, B/C replies without a promise date, counts per unit
// and the pending extension requests; a unit token sees its own.
func supervisionOverview(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	session := httpkit.CleanText(r.URL.Query().Get("session"))
	rep, err := s.core.Supervision.OverviewAs(r.Context(), by, session)
	if err != nil {
		return err
	}
	o := rep.Overview
	out := overview{Session: session, Today: day(o.Today), NearDays: core.NearDays, Past: supervisedList(o.Past),
		Near: supervisedList(o.Near), Lookback: supervisedList(o.Lookback), NoPromise: supervisedList(o.NoPromise),
		Units: []unitOverdue{}, Pending: []extension{}, Unreached: []unreached{}}
	for _, u := range rep.Unreached {
		out.Unreached = append(out.Unreached, unreached{supervised: supervisedOf(u.Supervised), Units: u.Units, Reason: u.Reason})
	}
	if _, limited := core.UnitScope(by); limited {
		out.Unit = by.Account.Unit
	}
	for _, u := range o.Units {
		out.Units = append(out.Units, unitOverdue{HostUnit: u.HostUnit, Past: u.Past, Near: u.Near, Open: u.Open})
	}
	for _, e := range o.Pending {
		out.Pending = append(out.Pending, extensionOf(e))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// supervisionRate is rates plus 见面率.
type supervisionRate struct {
	rates
	Session          string  `json:"session,omitempty"`
	RatedSuggestions int     `json:"rated_suggestions"`
	Face             int     `json:"face"`
	FaceRate         float64 `json:"face_rate"`
}

func supervisionRateOf(r core.SupervisionRates) supervisionRate {
	return supervisionRate{rates: ratesOf(r.Rates), RatedSuggestions: r.RatedSuggestions, Face: r.Face, FaceRate: r.FaceRate}
}

// supervisionRates returns the four rates (with 见面率) overall, per unit
// for ?session= (or all), and overall per session.
func supervisionRates(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	session := httpkit.CleanText(r.URL.Query().Get("session"))
	rep, err := s.core.Supervision.OverviewAs(r.Context(), by, session)
	if err != nil {
		return err
	}
	out := struct {
		Session   string            `json:"session,omitempty"`
		Overall   supervisionRate   `json:"overall"`
		ByUnit    []supervisionRate `json:"by_unit"`
		BySession []supervisionRate `json:"by_session"`
	}{Session: session, Overall: supervisionRateOf(rep.Overall), ByUnit: []supervisionRate{}, BySession: []supervisionRate{}}
	for _, u := range rep.Units {
		out.ByUnit = append(out.ByUnit, supervisionRateOf(u))
	}
	for _, ss := range rep.BySession {
		x := supervisionRateOf(ss.SupervisionRates)
		x.Session = ss.Session
		out.BySession = append(out.BySession, x)
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// dateOf reads an optional yyyy-mm-dd property: the zero time when empty
// (core then asks for a date), a field error keyed key when malformed.
func dateOf(v, key, label string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, &core.FieldError{Key: key, Label: label, Value: v, Msg: "格式应为 2026-08-01"}
	}
	return t, nil
}

// extensionRequest asks for a later deadline ({"new_deadline", "reason"}):
// a unit for its own suggestions (another unit's is 404), staff on a
// unit's behalf.
func extensionRequest(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		NewDeadline string `json:"new_deadline"`
		Reason      string `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := dateOf(in.NewDeadline, "new_deadline", "延期至")
	if err != nil {
		return err
	}
	e, err := s.core.Supervision.RequestExtensionAs(r.Context(), by, id, d, in.Reason)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusCreated, extensionOf(e))
	return nil
}

// extensionDecide approves or rejects a pending extension request
// ({"decision": "approve"|"reject", "note"}).
func extensionDecide(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Decision string `json:"decision"`
		Note     string `json:"note"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := s.core.Supervision.DecideExtensionAs(r.Context(), by, id, in.Decision, in.Note)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, extensionOf(e))
	return nil
}

// promiseSet records the promise date of a B/C reply ({"promise_date"});
// the suggestion joins 回头看 once it passes. Answers with the suggestion
// as 督办 sees it.
func promiseSet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		PromiseDate string `json:"promise_date"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := dateOf(in.PromiseDate, "promise_date", "承诺期限")
	if err != nil {
		return err
	}
	v, err := s.core.Supervision.SetPromiseAs(r.Context(), by, id, d)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, supervisedOf(v))
	return nil
}
