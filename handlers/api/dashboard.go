package api

import (
	"net/http"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type statusCount struct {
	Status string `json:"status"`
	Label  string `json:"label"`
	Count  int    `json:"count"`
}

type recentOpinion struct {
	ID            int64     `json:"id"`
	Receipt       string    `json:"receipt"`
	DeputyName    string    `json:"deputy_name"`
	CategoryLabel string    `json:"category_label"`
	Snippet       string    `json:"snippet"`
	CreatedAt     time.Time `json:"created_at"`
}

type bindLock struct {
	DeputyID   int64     `json:"deputy_id"`
	Name       string    `json:"name"`
	Delegation string    `json:"delegation"`
	Bound      bool      `json:"bound"`
	LockedAt   time.Time `json:"locked_at"`
}

// dashboard is the console's home page as JSON. The deputy figures,
// today's deliveries, open RSVPs, recent opinions and binding locks are
// for roles that see deputy data (null for a handling unit); suggestions
// and rates are of the latest session, a unit's own for a unit token.
func dashboard(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	d, err := s.core.Reports.DashboardAs(r.Context(), by)
	if err != nil {
		return err
	}
	type deputies struct {
		Total   int `json:"total"`
		Bound   int `json:"bound"`
		Unbound int `json:"unbound"`
	}
	out := struct {
		Deputies        *deputies       `json:"deputies"`
		DeliveriesToday []statusCount   `json:"deliveries_today"`
		OpenRSVPs       *int            `json:"open_rsvps"`
		Session         string          `json:"session"`
		Unit            string          `json:"unit,omitempty"`
		Suggestions     []statusCount   `json:"suggestions"`
		Rates           rates           `json:"rates"`
		RecentOpinions  []recentOpinion `json:"recent_opinions"`
		BindLocks       []bindLock      `json:"bind_locks"`
		BindPaused      bool            `json:"bind_paused"`
	}{DeliveriesToday: []statusCount{}, Session: d.Session, Suggestions: []statusCount{}, Rates: ratesOf(d.Rates),
		RecentOpinions: []recentOpinion{}, BindLocks: []bindLock{}, BindPaused: d.BindPaused}
	if d.Limited {
		out.Unit = d.Unit
		if out.Unit == "" {
			out.Unit = "（未设置承办单位）"
		}
	}
	if d.SeesDeputies {
		out.Deputies = &deputies{Total: d.Total, Bound: d.Bound, Unbound: d.Total - d.Bound}
		n := d.OpenRSVPs
		out.OpenRSVPs = &n
	}
	for _, st := range model.DeliveryStates {
		if n := d.DeliveriesToday[st]; n > 0 {
			out.DeliveriesToday = append(out.DeliveriesToday, statusCount{Status: st, Label: orDefault(model.DeliveryLabel(st), st), Count: n})
		}
	}
	if d.HasSuggestions() {
		for _, c := range core.SuggestionStatusChoices {
			out.Suggestions = append(out.Suggestions, statusCount{Status: c.Value, Label: c.Label, Count: d.SuggestionsBy[c.Value]})
		}
	}
	for _, o := range d.RecentOpinions {
		flat := []rune(strings.Join(strings.Fields(strings.ReplaceAll(o.Body, "　", " ")), " "))
		snip := string(flat)
		if len(flat) > 30 {
			snip = string(flat[:30]) + "…"
		}
		out.RecentOpinions = append(out.RecentOpinions, recentOpinion{ID: o.ID, Receipt: o.Receipt, DeputyName: o.DeputyName,
			CategoryLabel: core.OpinionCategoryLabel(o.Category), Snippet: snip, CreatedAt: o.CreatedAt})
	}
	for _, l := range d.BindLocks {
		out.BindLocks = append(out.BindLocks, bindLock{DeputyID: l.DeputyID, Name: l.Name, Delegation: l.Delegation, Bound: l.Bound, LockedAt: l.LockedAt})
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
