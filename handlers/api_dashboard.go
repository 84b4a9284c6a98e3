package handlers

import (
	"deputybot/model"
	"net/http"
	"slices"
	"time"
)

func init() { apiRoute(http.MethodGet, "/api/v1/dashboard", everyone, apiDashboard) }

type apiDashboardDeputies struct {
	Total   int `json:"total"`
	Bound   int `json:"bound"`
	Unbound int `json:"unbound"`
}

type apiStatusCount struct {
	Status string `json:"status"`
	Label  string `json:"label"`
	Count  int    `json:"count"`
}

type apiRecentOpinion struct {
	ID            int64     `json:"id"`
	Receipt       string    `json:"receipt"`
	DeputyName    string    `json:"deputy_name"`
	CategoryLabel string    `json:"category_label"`
	Snippet       string    `json:"snippet"`
	CreatedAt     time.Time `json:"created_at"`
}

// apiDashboardBody is the console's home page as JSON. The deputy figures,
// today's deliveries, open RSVPs and recent opinions are for roles that see
// deputy data (null for a handling unit); suggestions and rates are of the
// latest session, a unit's own for a unit token.
type apiDashboardBody struct {
	Deputies        *apiDashboardDeputies `json:"deputies"`
	DeliveriesToday []apiStatusCount      `json:"deliveries_today"`
	OpenRSVPs       *int                  `json:"open_rsvps"`
	Session         string                `json:"session"`
	Unit            string                `json:"unit,omitempty"`
	Suggestions     []apiStatusCount      `json:"suggestions"`
	Rates           apiRates              `json:"rates"`
	RecentOpinions  []apiRecentOpinion    `json:"recent_opinions"`
	// Binding, for roles that see deputy data: the deputies whose binding
	// by phone digits was locked in the last 30 days, and whether digits
	// are paused for everyone.
	BindLocks  []apiBindLock `json:"bind_locks"`
	BindPaused bool          `json:"bind_paused"`
}

type apiBindLock struct {
	DeputyID   int64     `json:"deputy_id"`
	Name       string    `json:"name"`
	Delegation string    `json:"delegation"`
	Bound      bool      `json:"bound"`
	LockedAt   time.Time `json:"locked_at"`
}

func apiDashboard(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	v, err := s.dashboardData(r.Context(), me)
	if err != nil {
		return err
	}
	out := apiDashboardBody{DeliveriesToday: []apiStatusCount{}, Session: v.Session, Unit: v.UnitOnly,
		Suggestions: []apiStatusCount{}, Rates: apiRatesOf(v.Rates.Rates), RecentOpinions: []apiRecentOpinion{},
		BindLocks: []apiBindLock{}, BindPaused: v.BindPaused}
	for _, l := range v.BindLocks {
		out.BindLocks = append(out.BindLocks, apiBindLock{DeputyID: l.DeputyID, Name: l.Name, Delegation: l.Delegation, Bound: l.Bound, LockedAt: l.LockedAt})
	}
	if slices.Contains(viewers, me.Role) {
		out.Deputies = &apiDashboardDeputies{Total: v.Total, Bound: v.Bound, Unbound: v.Unbound}
		n := v.OpenRSVPs
		out.OpenRSVPs = &n
	}
	for _, d := range v.Deliveries {
		out.DeliveriesToday = append(out.DeliveriesToday, apiStatusCount{Status: d.Status, Label: orDefault(model.DeliveryLabel(d.Status), d.Status), Count: d.Count})
	}
	for _, c := range v.Suggestions {
		out.Suggestions = append(out.Suggestions, apiStatusCount{Status: c.Value, Label: c.Label, Count: c.Count})
	}
	for _, o := range v.Opinions {
		out.RecentOpinions = append(out.RecentOpinions, apiRecentOpinion{ID: o.ID, Receipt: o.Receipt, DeputyName: o.DeputyName,
			CategoryLabel: o.Label, Snippet: o.Snippet, CreatedAt: o.CreatedAt})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
