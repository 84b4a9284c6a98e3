package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
	"slices"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/series/new", editors, seriesNew)
	consoleRoute(http.MethodPost, "/admin/series", editors, seriesCreate)
}

var seriesKeys = mapKeys(map[string]string{"名称": "name", "类型": "kind", "标题": "title", "时间表": "schedule"})

// seriesFormView is the form of a new series, as typed.
type seriesFormView struct {
	Form        model.Series
	Delegations []string // the choices
	Kinds       []campaignOption
	Errors      fieldErrors
}

// HasDelegation keeps the chosen delegations on a form shown again.
func (v seriesFormView) HasDelegation(d string) bool {
	return slices.Contains(v.Form.Audience.Delegations, d)
}

func (s *server) renderSeriesForm(w http.ResponseWriter, r *http.Request, me model.Account, status int, v seriesFormView) error {
	dels, _, err := s.campaignAudienceChoices(r)
	if err != nil {
		return err
	}
	v.Delegations, v.Kinds = dels, campaignNoticeKinds()
	s.render(w, r, status, "series_form", page{Title: "新建定期通知系列", Nav: "series", Me: me, Data: v})
	return nil
}

func seriesNew(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.renderSeriesForm(w, r, me, http.StatusOK, seriesFormView{Form: model.Series{Schedule: "0 9 * * 1"}})
}

// parseSeriesForm reads the form: the audience is everyone unless
// delegations are ticked.
func parseSeriesForm(r *http.Request) model.Series {
	x := model.Series{Name: cleanText(r.PostFormValue("name")), Kind: r.PostFormValue("kind"),
		Title: cleanText(r.PostFormValue("title")), Body: r.PostFormValue("body"),
		Schedule: cleanText(r.PostFormValue("schedule")), NextMaterial: r.PostFormValue("next_material") != ""}
	for _, d := range r.PostForm["delegation"] {
		if d = cleanText(d); d != "" {
			x.Audience.Delegations = append(x.Audience.Delegations, d)
		}
	}
	x.Audience.All = len(x.Audience.Delegations) == 0
	return x
}

func seriesCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	x := parseSeriesForm(r)
	err := s.noticeSeries().Create(r.Context(), &x)
	if fe, ok := formErrors(err, seriesKeys); ok {
		return s.renderSeriesForm(w, r, me, http.StatusUnprocessableEntity, seriesFormView{Form: x, Errors: fe})
	} else if err != nil {
		return err
	}
	s.audit(r, me, "series.create", fmt.Sprintf("series/%d", x.ID), fmt.Sprintf("新建定期通知系列 %s（%s）", x.Name, x.Schedule))
	s.flash(r, "已新建“"+x.Name+"”，将按时间表自动推送。")
	http.Redirect(w, r, "/admin/series", http.StatusSeeOther)
	return nil
}
