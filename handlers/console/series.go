package console

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// seriesRow is one recurring notice in the list.
type seriesRow struct {
	model.Series
	KindLabel, AudienceLabel string
	ScheduleLabel            string // 每周一 09:00
}

func seriesList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	list, err := s.core.Series.ListAs(r.Context(), by)
	if err != nil {
		return err
	}
	rows := make([]seriesRow, len(list))
	for i, x := range list {
		rows[i] = seriesRow{Series: x, KindLabel: core.KindLabel(x.Kind), AudienceLabel: core.SeriesAudienceText(x.Audience),
			ScheduleLabel: core.ScheduleText(x.Schedule)}
	}
	s.render(w, r, http.StatusOK, "series", page{Title: "定期通知系列", Nav: "series", Me: by.Account, Data: rows})
	return nil
}

func seriesActivate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.setSeriesActive(w, r, by, true)
}

func seriesDeactivate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.setSeriesActive(w, r, by, false)
}

func (s *server) setSeriesActive(w http.ResponseWriter, r *http.Request, by core.Actor, active bool) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	x, err := s.core.Series.SetActiveAs(r.Context(), by, id, active)
	if err != nil {
		return err
	}
	verb := "停用"
	if active {
		verb = "启用"
	}
	s.flash(r, "已"+verb+"“"+x.Name+"”。")
	http.Redirect(w, r, "/admin/series", http.StatusSeeOther)
	return nil
}

// seriesFormView is the form of a new series, as typed.
type seriesFormView struct {
	Form        model.Series
	Repeat      core.SeriesRepeat // the schedule as chosen
	Delegations []string          // the choices
	Kinds       []option
	Weekdays    []core.Choice
	MonthDays   []string
	NextRuns    []string // the next five sends of the schedule
	Errors      fieldErrors
}

// HasDelegation keeps the chosen delegations on a form shown again.
func (v seriesFormView) HasDelegation(d string) bool {
	return slices.Contains(v.Form.Audience.Delegations, d)
}

func (s *server) renderSeriesForm(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v seriesFormView) error {
	dels, _, err := s.core.Meetings.AudienceChoices(r.Context(), by)
	if err != nil {
		return err
	}
	v.Delegations = dels
	v.Weekdays = core.WeekdayChoices()
	for d := 1; d <= 28; d++ {
		v.MonthDays = append(v.MonthDays, strconv.Itoa(d))
	}
	if v.Repeat.Every == "" {
		v.Repeat = core.RepeatOf(v.Form.Schedule)
	}
	for _, t := range s.core.Series.NextRuns(v.Form.Schedule, 5) {
		v.NextRuns = append(v.NextRuns, t.Format("2006-01-02 15:04")+" "+weekdayOf(t))
	}
	for _, k := range model.NoticeKinds() {
		v.Kinds = append(v.Kinds, option{k, model.KindLabels[k]})
	}
	s.render(w, r, status, "series_form", page{Title: "新建定期通知系列", Nav: "series", Me: by.Account, Data: v})
	return nil
}

func seriesNew(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderSeriesForm(w, r, by, http.StatusOK, seriesFormView{Form: model.Series{Schedule: "0 9 * * 1"}})
}

// weekdayOf is 周一 … 周日.
func weekdayOf(t time.Time) string {
	return [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}[t.Weekday()]
}

// parseSeriesForm reads the form: the audience is everyone unless
// delegations are ticked.
func parseSeriesForm(r *http.Request) model.Series {
	x := model.Series{Name: httpkit.CleanText(r.PostFormValue("name")), Kind: r.PostFormValue("kind"),
		Title: httpkit.CleanText(r.PostFormValue("title")), Body: r.PostFormValue("body"),
		Schedule: httpkit.CleanText(r.PostFormValue("schedule")), NextMaterial: r.PostFormValue("next_material") != ""}
	if every := r.PostFormValue("every"); every != "" {
		// The schedule as chosen (每天/每周/每月 + time); the cron field
		// counts only when chosen as such.
		x.Schedule, _ = repeatOf(r).Spec()
	}
	for _, d := range r.PostForm["delegation"] {
		if d = httpkit.CleanText(d); d != "" {
			x.Audience.Delegations = append(x.Audience.Delegations, d)
		}
	}
	x.Audience.All = len(x.Audience.Delegations) == 0
	return x
}

// repeatOf reads the schedule's choice from the form.
func repeatOf(r *http.Request) core.SeriesRepeat {
	return core.SeriesRepeat{Every: r.PostFormValue("every"), Weekday: r.PostFormValue("weekday"),
		MonthDay: r.PostFormValue("month_day"), At: httpkit.CleanText(r.PostFormValue("at")),
		Cron: httpkit.CleanText(r.PostFormValue("schedule"))}
}

// seriesCreate stores the series; action=preview shows the form again
// with the next five sends of the schedule chosen.
func seriesCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	x := parseSeriesForm(r)
	v := seriesFormView{Form: x}
	if r.PostFormValue("every") != "" {
		v.Repeat = repeatOf(r)
		if _, fe := v.Repeat.Spec(); fe != nil {
			return s.renderSeriesForm(w, r, by, http.StatusUnprocessableEntity, seriesFormView{Form: x, Repeat: v.Repeat, Errors: fieldErrors{fe.Key: fe.Msg}})
		}
	}
	if r.PostFormValue("action") == "preview" {
		return s.renderSeriesForm(w, r, by, http.StatusOK, v)
	}
	err := s.core.Series.CreateAs(r.Context(), by, &x)
	if fe, ok := fieldErrorsOf(err); ok {
		v.Errors = fe
		return s.renderSeriesForm(w, r, by, http.StatusUnprocessableEntity, v)
	} else if err != nil {
		return err
	}
	s.flash(r, "已新建“"+x.Name+"”，将按时间表自动推送。")
	http.Redirect(w, r, "/admin/series", http.StatusSeeOther)
	return nil
}

// seriesExport downloads every series as Excel.
func seriesExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Series.ExportAs(r.Context(), by)
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
