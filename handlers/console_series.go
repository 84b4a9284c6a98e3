package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/series", editors, seriesList)
	consoleRoute(http.MethodPost, "/admin/series/{id}/activate", editors, seriesActivate)
	consoleRoute(http.MethodPost, "/admin/series/{id}/deactivate", editors, seriesDeactivate)
}

// seriesRow is one recurring notice in the list.
type seriesRow struct {
	model.Series
	KindLabel, AudienceLabel string
}

func seriesAudienceLabel(a model.Audience) string {
	if len(a.Delegations) > 0 {
		return "代表团：" + strings.Join(a.Delegations, "、")
	}
	return "全体代表"
}

func (s *server) noticeSeries() *core.NoticeSeries { return core.NewNoticeSeries(s.d.DB, s.d.Loc) }

func seriesList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	list, err := s.d.DB.ListSeries(r.Context(), false)
	if err != nil {
		return err
	}
	rows := make([]seriesRow, len(list))
	for i, x := range list {
		rows[i] = seriesRow{Series: x, KindLabel: noticeKindLabelOf(x.Kind), AudienceLabel: seriesAudienceLabel(x.Audience)}
	}
	s.render(w, r, http.StatusOK, "series", page{Title: "定期通知系列", Nav: "series", Me: me, Data: rows})
	return nil
}

func seriesActivate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.setSeriesActive(w, r, me, true)
}

func seriesDeactivate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.setSeriesActive(w, r, me, false)
}

func (s *server) setSeriesActive(w http.ResponseWriter, r *http.Request, me model.Account, active bool) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	x, err := s.d.DB.GetSeries(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.d.DB.SetSeriesActive(r.Context(), id, active); err != nil {
		return err
	}
	action, verb := "series.deactivate", "停用"
	if active {
		action, verb = "series.activate", "启用"
	}
	s.audit(r, me, action, fmt.Sprintf("series/%d", id), verb+"定期通知系列 "+x.Name)
	s.flash(r, "已"+verb+"“"+x.Name+"”。")
	http.Redirect(w, r, "/admin/series", http.StatusSeeOther)
	return nil
}
