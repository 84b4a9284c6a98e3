package console

import (
	"net/http"
	"slices"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

const supervisionPath = "/admin/supervision"

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
	Chart             chart
	OverdueChart      chart
	CanRequest        bool // may ask for extensions
	CanDecide         bool // may decide extensions and set promise dates
	Digest            *model.JobRun
	DigestCounts      []digestCount
	NearDays          int
	PastList          deadlineList
	NearList          deadlineList
	DefaultMonths     int
	MaxMonths         int
	// Unreached are the suggestions whose units have no bound WeChat.
	Unreached []core.UnitUnreached
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

// supervisionPage is 督办: overdue suggestions by handling unit, 回头看,
// extension requests and the four rates with their formulas. A unit
// account sees its own unit only.
func supervisionPage(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ctx := r.Context()
	v := supervisionView{Session: httpkit.CleanText(r.URL.Query().Get("session")), NearDays: core.NearDays,
		DefaultMonths: core.DefaultHandlingMonths, MaxMonths: core.MaxHandlingMonths, UnitOnly: unitOnly(by),
		CanRequest: slices.Contains(core.StepRecorders, by.Role()), CanDecide: slices.Contains(core.Editors, by.Role())}
	var err error
	if _, v.Sessions, err = s.core.Suggestions.Choices(ctx, by); err != nil {
		return err
	}
	rep, err := s.core.Supervision.OverviewAs(ctx, by, v.Session)
	if err != nil {
		return err
	}
	o := rep.Overview
	v.Overview, v.Today = o, o.Today.Format(time.DateOnly)
	v.PastList, v.NearList = deadlineList{o.Past, v.CanRequest}, deadlineList{o.Near, v.CanRequest}
	v.Unreached = rep.Unreached
	v.Overall = supervisionRateRowOf("合计", rep.Overall)
	rates := make([]core.Rates, len(rep.Units))
	for i, u := range rep.Units {
		v.Units = append(v.Units, supervisionRateRowOf(orDefault(u.HostUnit, "（未填写）"), u))
		rates[i] = u.Rates
	}
	v.Chart = ratesChart(rates)
	v.Chart.Series = append(v.Chart.Series, chartSeries{Name: "见面率", Data: []float64{}})
	for _, u := range rep.Units {
		v.Chart.Series[3].Data = append(v.Chart.Series[3].Data, percent(u.FaceRate))
	}
	v.OverdueChart = chart{Kind: "hbar", Categories: []string{}, Series: []chartSeries{{Name: "已逾期", Data: []float64{}}, {Name: "临近期限", Data: []float64{}}}}
	for _, u := range o.Units {
		v.OverdueChart.Categories = append(v.OverdueChart.Categories, orDefault(u.HostUnit, "（未填写）"))
		v.OverdueChart.Series[0].Data = append(v.OverdueChart.Series[0].Data, float64(u.Past))
		v.OverdueChart.Series[1].Data = append(v.OverdueChart.Series[1].Data, float64(u.Near))
	}
	for _, ss := range rep.BySession {
		v.BySession = append(v.BySession, supervisionRateRowOf(ss.Session, ss.SupervisionRates))
	}
	if v.Digest = rep.Digest; v.Digest != nil {
		for k, n := range v.Digest.Counts {
			v.DigestCounts = append(v.DigestCounts, digestCount{k, n})
		}
		slices.SortFunc(v.DigestCounts, func(a, b digestCount) int {
			if a.Key < b.Key {
				return -1
			}
			return 1
		})
	}
	s.render(w, r, http.StatusOK, "supervision", page{Title: "建议督办", Nav: "supervision", Me: by.Account, Data: v})
	return nil
}

// parseDay reads a yyyy-mm-dd form date; the zero time when absent or
// malformed (core then asks for a date).
func parseDay(v string) time.Time {
	t, err := time.Parse(time.DateOnly, httpkit.CleanText(v))
	if err != nil {
		return time.Time{}
	}
	return t
}

// backWith shows a supervision form's problem on the supervision page
// (the forms are small and live in its lists) and reports whether err
// was one.
func (s *server) backWith(w http.ResponseWriter, r *http.Request, err error) bool {
	verr, ok := core.Fields(err)
	if !ok {
		return false
	}
	s.flash(r, "未能提交："+verr.Error())
	http.Redirect(w, r, supervisionPath, http.StatusSeeOther)
	return true
}

// extensionRequest asks for a later deadline: a unit for its own
// suggestions, staff on a unit's behalf.
func extensionRequest(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	e, err := s.core.Supervision.RequestExtensionAs(r.Context(), by, id, parseDay(r.PostFormValue("new_deadline")), r.PostFormValue("reason"))
	if s.backWith(w, r, err) {
		return nil
	} else if err != nil {
		return err
	}
	s.flash(r, "已提交 "+e.Number+" 的延期申请，待审批。")
	http.Redirect(w, r, supervisionPath, http.StatusSeeOther)
	return nil
}

// extensionDecide approves or rejects a pending extension request.
func extensionDecide(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	decision := "reject"
	if r.PostFormValue("decision") == "approve" {
		decision = "approve"
	}
	e, err := s.core.Supervision.DecideExtensionAs(r.Context(), by, id, decision, r.PostFormValue("note"))
	if s.backWith(w, r, err) {
		return nil
	} else if err != nil {
		return err
	}
	word := "未批准"
	if decision == "approve" {
		word = "已批准"
	}
	s.flash(r, e.Number+" 的延期申请"+word+"。")
	http.Redirect(w, r, supervisionPath, http.StatusSeeOther)
	return nil
}

// promiseSet records the promise date of a B/C reply, which puts the
// suggestion on the 回头看 list once it passes.
func promiseSet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	v, err := s.core.Supervision.SetPromiseAs(r.Context(), by, id, parseDay(r.PostFormValue("promise_date")))
	if s.backWith(w, r, err) {
		return nil
	} else if err != nil {
		return err
	}
	s.flash(r, "已设定 "+v.Number+" 的承诺期限。")
	http.Redirect(w, r, supervisionPath, http.StatusSeeOther)
	return nil
}
