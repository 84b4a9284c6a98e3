package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
	"time"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/series", editors, apiSeriesList)
	apiRoute(http.MethodPost, "/api/v1/series", editors, apiSeriesCreate)
	apiRoute(http.MethodPost, "/api/v1/series/{id}/activate", editors, apiSeriesSetActive(true))
	apiRoute(http.MethodPost, "/api/v1/series/{id}/deactivate", editors, apiSeriesSetActive(false))
}

// apiSeries is a recurring notice (定期通知系列).
type apiSeries struct {
	ID           int64          `json:"id"`
	Name         string         `json:"name"`
	Kind         string         `json:"kind"`
	KindLabel    string         `json:"kind_label"`
	Title        string         `json:"title,omitempty"`
	Body         string         `json:"body,omitempty"`
	Audience     model.Audience `json:"audience"`
	Schedule     string         `json:"schedule"`
	NextMaterial bool           `json:"next_material"`
	Active       bool           `json:"active"`
	CreatedAt    time.Time      `json:"created_at"`
	LastRunAt    *time.Time     `json:"last_run_at,omitempty"`
}

func apiSeriesOf(x model.Series) apiSeries {
	return apiSeries{ID: x.ID, Name: x.Name, Kind: x.Kind, KindLabel: noticeKindLabelOf(x.Kind), Title: x.Title, Body: x.Body,
		Audience: x.Audience, Schedule: x.Schedule, NextMaterial: x.NextMaterial, Active: x.Active,
		CreatedAt: x.CreatedAt, LastRunAt: x.LastRunAt}
}

type apiSeriesPage struct {
	Series []apiSeries `json:"series"`
}

func apiSeriesList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	list, err := s.d.DB.ListSeries(r.Context(), false)
	if err != nil {
		return err
	}
	out := apiSeriesPage{Series: []apiSeries{}}
	for _, x := range list {
		out.Series = append(out.Series, apiSeriesOf(x))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiSeriesInput is the body of a new series: the audience is everyone
// unless delegations are given.
type apiSeriesInput struct {
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Title        string   `json:"title"`
	Body         string   `json:"body"`
	Schedule     string   `json:"schedule"`
	NextMaterial bool     `json:"next_material"`
	Delegations  []string `json:"delegations"`
}

// apiSeriesCreate creates a series, active; answers 201 with it.
func apiSeriesCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in apiSeriesInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	x := model.Series{Name: cleanText(in.Name), Kind: in.Kind, Title: cleanText(in.Title), Body: in.Body,
		Schedule: cleanText(in.Schedule), NextMaterial: in.NextMaterial}
	for _, d := range in.Delegations {
		if d = cleanText(d); d != "" {
			x.Audience.Delegations = append(x.Audience.Delegations, d)
		}
	}
	x.Audience.All = len(x.Audience.Delegations) == 0
	if err := s.noticeSeries().Create(r.Context(), &x); err != nil {
		return writeAPIValidation(w, err, seriesKeys)
	}
	s.audit(r, me, "series.create", fmt.Sprintf("series/%d", x.ID), fmt.Sprintf("新建定期通知系列 %s（%s）", x.Name, x.Schedule))
	created, err := s.d.DB.GetSeries(r.Context(), x.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/series/%d", x.ID))
	writeJSON(w, http.StatusCreated, apiSeriesOf(created))
	return nil
}

// apiSeriesSetActive starts or stops a series; answers with it.
func apiSeriesSetActive(active bool) handlerFunc {
	return func(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
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
		if x, err = s.d.DB.GetSeries(r.Context(), id); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, apiSeriesOf(x))
		return nil
	}
}
