package handlers

import (
	"context"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/{$}", everyone, dashboard) }

// recentOpinionCount is how many opinions the dashboard lists.
const recentOpinionCount = 5

type dashboardView struct {
	Total, Bound, Unbound int
	Deliveries            []statusCount
	// OpenRSVPs counts the invitations not yet answered of meetings whose
	// RSVP deadline is still ahead.
	OpenRSVPs int

	// Suggestion handling, for the latest session (all when none is
	// named); a unit account sees its own unit's.
	Session     string
	UnitOnly    string
	Rates       rateRow
	Suggestions []labelCount
	StatusChart chartData

	Opinions []recentOpinion // viewers only

	// Binding (viewers only): deputies whose binding by phone digits was
	// locked within bindLockDays, and whether digits are paused for all.
	BindLocks  []model.BindLock
	BindPaused bool
}

// bindLockDays is how far back the dashboard lists binding locks; the
// deputy's page shows a lock for as long as it stays.
const bindLockDays = 30

type statusCount struct {
	Status string
	Count  int
}

type labelCount struct {
	Value, Label string
	Count        int
}

// recentOpinion is an opinion as the dashboard lists it: no more than
// the start of its text.
type recentOpinion struct {
	ID                         int64
	Receipt, DeputyName, Label string
	Snippet                    string
	CreatedAt                  time.Time
}

func dashboard(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	v, err := s.dashboardData(r.Context(), me)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "dashboard", page{Title: "首页", Nav: "home", Me: me, Data: v})
	return nil
}

// dashboardData gathers the dashboard's figures as me may see them; the
// console page and GET /api/v1/dashboard both show them.
func (s *server) dashboardData(ctx context.Context, me model.Account) (dashboardView, error) {
	var v dashboardView
	if slices.Contains(viewers, me.Role) {
		var err error
		if v.Total, v.Bound, err = s.d.DB.CountDeputies(ctx); err != nil {
			return v, err
		}
		v.Unbound = v.Total - v.Bound
		now := s.d.Now().In(s.d.Loc)
		midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.d.Loc)
		counts, err := s.d.DB.CountDeliveriesSince(ctx, midnight)
		if err != nil {
			return v, err
		}
		for _, st := range model.DeliveryStates {
			if n := counts[st]; n > 0 {
				v.Deliveries = append(v.Deliveries, statusCount{st, n})
			}
		}
		open, err := s.d.DB.OpenRSVPs(ctx, now)
		if err != nil {
			return v, err
		}
		for _, m := range open {
			v.OpenRSVPs += len(m.DeputyIDs)
		}
		if v.Opinions, err = s.recentOpinions(ctx); err != nil {
			return v, err
		}
		st, err := s.d.Services.Binding.Locks(ctx, core.StaffActor(me, core.ViaConsole), now.AddDate(0, 0, -bindLockDays))
		if err != nil {
			return v, err
		}
		v.BindLocks, v.BindPaused = st.Locked, st.Paused
	}
	if err := s.dashboardSuggestions(ctx, me, &v); err != nil {
		return v, err
	}
	return v, nil
}

// dashboardSuggestions fills in the rates and the suggestions by status of
// the latest session.
func (s *server) dashboardSuggestions(ctx context.Context, me model.Account, v *dashboardView) error {
	sessions, err := s.d.DB.SuggestionSessions(ctx)
	if err != nil {
		return err
	}
	if len(sessions) > 0 {
		v.Session = sessions[0]
	}
	overall, _, err := s.suggestionRates(ctx, me, v.Session)
	if err != nil {
		return err
	}
	v.Rates = rateRowOf(overall)
	f := model.SuggestionFilter{Session: v.Session}
	if unit, limited := unitScope(me); limited {
		v.UnitOnly = orDefault(unit, "（未设置承办单位）")
		if unit == "" {
			return nil
		}
		f.HostUnit = unit
	}
	counts, err := s.d.DB.SuggestionStatusCounts(ctx, f)
	if err != nil {
		return err
	}
	v.StatusChart = chartData{Kind: "pie", Series: []chartSeries{{Name: "建议办理状态"}}}
	for _, c := range core.SuggestionStatusChoices {
		v.Suggestions = append(v.Suggestions, labelCount{Value: c.Value, Label: c.Label, Count: counts[c.Value]})
		v.StatusChart.Categories = append(v.StatusChart.Categories, c.Label)
		v.StatusChart.Series[0].Data = append(v.StatusChart.Series[0].Data, float64(counts[c.Value]))
	}
	return nil
}

func (s *server) recentOpinions(ctx context.Context) ([]recentOpinion, error) {
	list, _, err := s.opinions().List(ctx, model.OpinionFilter{Limit: recentOpinionCount})
	if err != nil {
		return nil, err
	}
	out := make([]recentOpinion, len(list))
	for i, o := range list {
		out[i] = recentOpinion{ID: o.ID, Receipt: o.Receipt, DeputyName: o.DeputyName,
			Label: core.OpinionCategoryLabel(o.Category), Snippet: snippet(o.Body, 30), CreatedAt: o.CreatedAt}
	}
	return out, nil
}

// snippet is the first n characters of text on one line, with … when cut.
func snippet(text string, n int) string {
	flat := []rune(collapseSpace(text))
	if len(flat) <= n {
		return string(flat)
	}
	return string(flat[:n]) + "…"
}

func collapseSpace(text string) string {
	out := make([]rune, 0, utf8.RuneCountInString(text))
	space := false
	for _, r := range text {
		if r == '\n' || r == '\r' || r == '\t' || r == ' ' || r == '　' {
			space = true
			continue
		}
		if space && len(out) > 0 {
			out = append(out, ' ')
		}
		space = false
		out = append(out, r)
	}
	return string(out)
}
