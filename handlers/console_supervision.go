package handlers

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/supervision", everyone, supervisionPage) }

func (s *server) supervision() *core.Supervision {
	sv := core.NewSupervision(s.d.DB, s.d.Loc)
	sv.Now = s.d.Now
	return sv
}

// supervisionRateRow is one line of the rates table, as percentages.
type supervisionRateRow struct {
	rateRow
	Label   string // the unit or the session
	Face    int
	FacePct string
	RatedN  int // rated suggestions
}

func supervisionRateRowOf(label string, r core.SupervisionRates) supervisionRateRow {
	return supervisionRateRow{rateRow: rateRowOf(r.Rates), Label: label, Face: r.Face, FacePct: pctText(r.FaceRate),
		RatedN: r.RatedSuggestions}
}

type supervisionView struct {
	Session, UnitOnly string
	Sessions          []string
	Today             string
	Overview          core.Overview
	Overall           supervisionRateRow
	Units             []supervisionRateRow
	BySession         []supervisionRateRow
	Chart             chartData
	OverdueChart      chartData
	CanRequest        bool // may ask for extensions
	CanDecide         bool // may decide extensions and set promise dates
	Digest            *model.JobRun
	DigestCounts      []digestCount
	NearDays          int
	PastList          deadlineList
	NearList          deadlineList
	DefaultMonths     int
	MaxMonths         int
}

// deadlineList is a list of suggestions by deadline and whether the
// viewer may ask for extensions, for the template they share.
type deadlineList struct {
	List       []core.Supervised
	CanRequest bool
}

type digestCount struct {
	Key string
	N   int
}

func supervisionChart(units []core.SupervisionRates) chartData {
	c := ratesChart(ratesOfSupervision(units))
	c.Series = append(c.Series, chartSeries{Name: "见面率", Data: []float64{}})
	for _, u := range units {
		c.Series[3].Data = append(c.Series[3].Data, percent(u.FaceRate))
	}
	return c
}

func ratesOfSupervision(units []core.SupervisionRates) []core.Rates {
	out := make([]core.Rates, len(units))
	for i, u := range units {
		out[i] = u.Rates
	}
	return out
}

func overdueChart(units []core.UnitOverdue) chartData {
	c := chartData{Kind: "hbar", Categories: []string{}, Series: []chartSeries{{Name: "已逾期", Data: []float64{}}, {Name: "临近期限", Data: []float64{}}}}
	for _, u := range units {
		c.Categories = append(c.Categories, orDefault(u.HostUnit, "（未填写）"))
		c.Series[0].Data = append(c.Series[0].Data, float64(u.Past))
		c.Series[1].Data = append(c.Series[1].Data, float64(u.Near))
	}
	return c
}

// supervisionPage is 督办: overdue suggestions by handling unit, 回头看,
// extension requests and the four rates with their formulas. A unit
// account sees its own unit only.
func supervisionPage(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	v := supervisionView{Session: cleanText(r.URL.Query().Get("session")), NearDays: core.NearDays,
		DefaultMonths: core.DefaultHandlingMonths, MaxMonths: core.MaxHandlingMonths,
		CanRequest: slices.Contains(stepRecorders, me.Role), CanDecide: slices.Contains(editors, me.Role)}
	var err error
	if v.Sessions, err = s.d.DB.SuggestionSessions(ctx); err != nil {
		return err
	}
	unit, limited := unitScope(me)
	if limited {
		v.UnitOnly = orDefault(unit, "（未设置承办单位）")
		if unit == "" {
			unit = "\x00" // a unit account without a unit sees nothing
		}
	}
	if err := s.fillSupervision(ctx, &v, unit); err != nil {
		return err
	}
	if !limited {
		run, err := s.d.DB.LastJobRun(ctx, core.SupervisionDigestJob)
		if err == nil {
			v.Digest = &run
			for k, n := range run.Counts {
				v.DigestCounts = append(v.DigestCounts, digestCount{k, n})
			}
			slices.SortFunc(v.DigestCounts, func(a, b digestCount) int {
				if a.Key < b.Key {
					return -1
				}
				return 1
			})
		} else if !errors.Is(err, model.ErrNotFound) {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "supervision", page{Title: "建议督办", Nav: "supervision", Me: me, Data: v})
	return nil
}

func (s *server) fillSupervision(ctx context.Context, v *supervisionView, unit string) error {
	sv := s.supervision()
	o, err := sv.Overview(ctx, model.SupervisionFilter{Session: v.Session, HostUnit: unit})
	if err != nil {
		return err
	}
	v.Overview, v.Today = o, o.Today.Format(time.DateOnly)
	v.PastList, v.NearList = deadlineList{o.Past, v.CanRequest}, deadlineList{o.Near, v.CanRequest}
	overall, units, err := sv.Rates(ctx, model.SuggestionRatesFilter{Session: v.Session, HostUnit: unit})
	if err != nil {
		return err
	}
	v.Overall = supervisionRateRowOf("合计", overall)
	for _, u := range units {
		v.Units = append(v.Units, supervisionRateRowOf(orDefault(u.HostUnit, "（未填写）"), u))
	}
	v.Chart, v.OverdueChart = supervisionChart(units), overdueChart(o.Units)
	sessions, err := sv.RatesBySession(ctx, unit)
	if err != nil {
		return err
	}
	for _, ss := range sessions {
		v.BySession = append(v.BySession, supervisionRateRowOf(ss.Session, ss.SupervisionRates))
	}
	return nil
}
