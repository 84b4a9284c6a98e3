package console

import (
	"net/http"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

type dashboardView struct {
	Total, Bound, Unbound int
	Deliveries            []statusCount
	OpenRSVPs             int

	Session     string
	UnitOnly    string
	Rates       rateRow
	Suggestions []labelCount // nil when no suggestion is counted: the page says so
	StatusChart chart

	Opinions   []recentOpinion
	BindLocks  []model.BindLock
	BindPaused bool
}

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

// dashboard is the console's home page.
func dashboard(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	d, err := s.core.Reports.DashboardAs(r.Context(), by)
	if err != nil {
		return err
	}
	v := dashboardView{Total: d.Total, Bound: d.Bound, Unbound: d.Total - d.Bound, OpenRSVPs: d.OpenRSVPs,
		Session: d.Session, Rates: rateRowOf(d.Rates), BindLocks: d.BindLocks, BindPaused: d.BindPaused}
	if d.Limited {
		v.UnitOnly = orDefault(d.Unit, "（未设置承办单位）")
	}
	for _, st := range model.DeliveryStates {
		if n := d.DeliveriesToday[st]; n > 0 {
			v.Deliveries = append(v.Deliveries, statusCount{st, n})
		}
	}
	for _, o := range d.RecentOpinions {
		v.Opinions = append(v.Opinions, recentOpinion{ID: o.ID, Receipt: o.Receipt, DeputyName: o.DeputyName,
			Label: core.OpinionCategoryLabel(o.Category), Snippet: shortText(o.Body, 30), CreatedAt: o.CreatedAt})
	}
	if d.HasSuggestions() {
		v.StatusChart = chart{Kind: "pie", Series: []chartSeries{{Name: "建议办理状态"}}}
		for _, c := range core.SuggestionStatusChoices {
			v.Suggestions = append(v.Suggestions, labelCount{Value: c.Value, Label: c.Label, Count: d.SuggestionsBy[c.Value]})
			v.StatusChart.Categories = append(v.StatusChart.Categories, c.Label)
			v.StatusChart.Series[0].Data = append(v.StatusChart.Series[0].Data, float64(d.SuggestionsBy[c.Value]))
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", page{Title: "首页", Nav: "home", Me: by.Account, Data: v})
	return nil
}

// shortText is the first n characters of text on one line (runs of
// blanks as one space), with … when cut.
func shortText(text string, n int) string {
	flat := []rune(strings.Join(strings.Fields(strings.ReplaceAll(text, "　", " ")), " "))
	if len(flat) <= n {
		return string(flat)
	}
	return string(flat[:n]) + "…"
}
