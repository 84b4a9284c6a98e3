package console

import (
	"net/http"
	"slices"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// seriesRow is one recurring notice in the list.
type seriesRow struct {
	model.Series
	KindLabel, AudienceLabel string
}

func seriesList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	list, err := s.core.Series.ListAs(r.Context(), by)
	if err != nil {
		return err
	}
	rows := make([]seriesRow, len(list))
	for i, x := range list {
		rows[i] = seriesRow{Series: x, KindLabel: core.KindLabel(x.Kind), AudienceLabel: core.SeriesAudienceText(x.Audience)}
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
	id, err := pathID(r)
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
	Delegations []string // the choices
	Kinds       []option
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
	for _, k := range model.NoticeKinds() {
		v.Kinds = append(v.Kinds, option{k, model.KindLabels[k]})
	}
	s.render(w, r, status, "series_form", page{Title: "新建定期通知系列", Nav: "series", Me: by.Account, Data: v})
	return nil
}

func seriesNew(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderSeriesForm(w, r, by, http.StatusOK, seriesFormView{Form: model.Series{Schedule: "0 9 * * 1"}})
}

// parseSeriesForm reads the form: the audience is everyone unless
// delegations are ticked.
func parseSeriesForm(r *http.Request) model.Series {
	x := model.Series{Name: httpkit.CleanText(r.PostFormValue("name")), Kind: r.PostFormValue("kind"),
		Title: httpkit.CleanText(r.PostFormValue("title")), Body: r.PostFormValue("body"),
		Schedule: httpkit.CleanText(r.PostFormValue("schedule")), NextMaterial: r.PostFormValue("next_material") != ""}
	for _, d := range r.PostForm["delegation"] {
		if d = httpkit.CleanText(d); d != "" {
			x.Audience.Delegations = append(x.Audience.Delegations, d)
		}
	}
	x.Audience.All = len(x.Audience.Delegations) == 0
	return x
}

func seriesCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	x := parseSeriesForm(r)
	err := s.core.Series.CreateAs(r.Context(), by, &x)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderSeriesForm(w, r, by, http.StatusUnprocessableEntity, seriesFormView{Form: x, Errors: fe})
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
	sendFile(w, f)
	return nil
}
