package api

import (
	"fmt"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// series is a recurring notice (定期通知系列).
type series struct {
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

func seriesOf(x model.Series) series {
	return series{ID: x.ID, Name: x.Name, Kind: x.Kind, KindLabel: core.KindLabel(x.Kind), Title: x.Title, Body: x.Body,
		Audience: x.Audience, Schedule: x.Schedule, NextMaterial: x.NextMaterial, Active: x.Active,
		CreatedAt: x.CreatedAt, LastRunAt: x.LastRunAt}
}

func seriesList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	list, err := s.core.Series.ListAs(r.Context(), by)
	if err != nil {
		return err
	}
	out := struct {
		Series []series `json:"series"`
	}{Series: []series{}}
	for _, x := range list {
		out.Series = append(out.Series, seriesOf(x))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// seriesCreate creates a series, active; the audience is everyone unless
// delegations are given. Answers 201 with it.
func seriesCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in struct {
		Name         string   `json:"name"`
		Kind         string   `json:"kind"`
		Title        string   `json:"title"`
		Body         string   `json:"body"`
		Schedule     string   `json:"schedule"`
		NextMaterial bool     `json:"next_material"`
		Delegations  []string `json:"delegations"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	x := model.Series{Name: httpkit.CleanText(in.Name), Kind: in.Kind, Title: httpkit.CleanText(in.Title), Body: in.Body,
		Schedule: httpkit.CleanText(in.Schedule), NextMaterial: in.NextMaterial}
	for _, d := range in.Delegations {
		if d = httpkit.CleanText(d); d != "" {
			x.Audience.Delegations = append(x.Audience.Delegations, d)
		}
	}
	x.Audience.All = len(x.Audience.Delegations) == 0
	if err := s.core.Series.CreateAs(r.Context(), by, &x); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/series/%d", x.ID))
	httpkit.WriteJSON(w, http.StatusCreated, seriesOf(x))
	return nil
}

// seriesSetActive starts or stops a series; answers with it.
func seriesSetActive(active bool) handlerFunc {
	return func(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
		id, err := httpkit.PathID(r)
		if err != nil {
			return err
		}
		x, err := s.core.Series.SetActiveAs(r.Context(), by, id, active)
		if err != nil {
			return err
		}
		httpkit.WriteJSON(w, http.StatusOK, seriesOf(x))
		return nil
	}
}
