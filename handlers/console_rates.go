package handlers

import (
	"context"
	"fmt"
	"math"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/suggestions/rates", everyone, ratesPage) }

// chartData is what web/admin/static/charts.js draws: a bar chart (kind
// "bar", or "hbar" with the bars lying down) of series over categories, or
// a pie ("pie") of the first series. Pages embed it in a
// <script type="application/json"> block the chart's element names.
type chartData struct {
	Kind       string        `json:"kind"`
	Categories []string      `json:"categories"`
	Series     []chartSeries `json:"series"`
	Percent    bool          `json:"percent,omitempty"` // values are percentages, 0–100
}

type chartSeries struct {
	Name string    `json:"name"`
	Data []float64 `json:"data"`
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
	Chart    chartData
}

// suggestionRates returns the rates over session ("" for all) that me may
// see: a unit account sees its own unit only.
func (s *server) suggestionRates(ctx context.Context, me model.Account, session string) (core.Rates, []core.Rates, error) {
	f := model.SuggestionRatesFilter{Session: session}
	if unit, limited := unitScope(me); limited {
		if unit == "" {
			return core.Rates{}, nil, nil
		}
		f.HostUnit = unit
	}
	return s.suggestions().Rates(ctx, f)
}

// ratesChart is the grouped bar chart of the three rates per unit.
func ratesChart(units []core.Rates) chartData {
	c := chartData{Kind: "bar", Percent: true, Categories: []string{}, Series: []chartSeries{
		{Name: "答复率", Data: []float64{}}, {Name: "办结率", Data: []float64{}}, {Name: "满意率", Data: []float64{}}}}
	for _, u := range units {
		c.Categories = append(c.Categories, orDefault(u.HostUnit, "（未填写）"))
		c.Series[0].Data = append(c.Series[0].Data, percent(u.ReplyRate))
		c.Series[1].Data = append(c.Series[1].Data, percent(u.ConclusionRate))
		c.Series[2].Data = append(c.Series[2].Data, percent(u.SatisfactionRate))
	}
	return c
}

func ratesPage(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	v := ratesView{Session: cleanText(r.URL.Query().Get("session"))}
	var err error
	if v.Sessions, err = s.d.DB.SuggestionSessions(ctx); err != nil {
		return err
	}
	if unit, limited := unitScope(me); limited {
		v.UnitOnly = orDefault(unit, "（未设置承办单位）")
	}
	overall, units, err := s.suggestionRates(ctx, me, v.Session)
	if err != nil {
		return err
	}
	v.Overall = rateRowOf(overall)
	for _, u := range units {
		v.Units = append(v.Units, rateRowOf(u))
	}
	v.Chart = ratesChart(units)
	s.render(w, r, http.StatusOK, "rates", page{Title: "建议办理“三率”", Nav: "suggestions", Me: me, Data: v})
	return nil
}
