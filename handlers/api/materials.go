package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type materialPage struct {
	Total     int        `json:"total"`
	Page      int        `json:"page"`
	PerPage   int        `json:"per_page"`
	Materials []material `json:"materials"`
}

// materialsList pages through materials: q searches title, summary and
// body (title matches first); status and category filter.
func materialsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	per, err := perPageOf(q, 50, 200)
	if err != nil {
		return err
	}
	pg := pageOf(q)
	rows, total, err := s.core.Materials.List(r.Context(), by, model.MaterialFilter{Q: q.Get("q"), Status: q.Get("status"),
		Category: q.Get("category"), Limit: per, Offset: (pg - 1) * per})
	if err != nil {
		return err
	}
	out := materialPage{Total: total, Page: pg, PerPage: per, Materials: []material{}}
	now := s.core.Now()
	for _, m := range rows {
		j := materialOf(m.Material, now)
		j.Studied = &m.Studied
		out.Materials = append(out.Materials, j)
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// materialCreate stores a draft: 201 with it and its Location.
func materialCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in materialInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.core.Materials.Create(r.Context(), by, in.core())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/materials/"+itoa(m.ID))
	httpkit.WriteJSON(w, http.StatusCreated, materialOf(m, s.core.Now()))
	return nil
}

// materialGet shows one material with its attachments.
func materialGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	m, err := s.core.Materials.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, materialOf(m, s.core.Now()))
	return nil
}

// materialUpdate rewrites a material's content.
func materialUpdate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in materialInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.core.Materials.Update(r.Context(), by, id, in.core())
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, materialOf(m, s.core.Now()))
	return nil
}

// materialPublishInput is the body of POST /api/v1/materials/{id}/publish.
type materialPublishInput struct {
	Audience *model.Audience `json:"audience"`
	SendAt   string          `json:"send_at"`
}

// materialPublish publishes (and pushes to an audience): the material and
// the campaign's id (null without a push).
func materialPublish(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in materialPublishInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.core.Materials.Publish(r.Context(), by, id, core.PublishInput{Audience: in.Audience, SendAt: in.SendAt})
	if err != nil {
		return err
	}
	var cid *int64
	if p.CampaignID != 0 {
		cid = &p.CampaignID
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		CampaignID *int64   `json:"campaign_id"`
		Material   material `json:"material"`
	}{cid, materialOf(p.Material, s.core.Now())})
	return nil
}

// materialArchive archives a material.
func materialArchive(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	m, err := s.core.Materials.Archive(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, materialOf(m, s.core.Now()))
	return nil
}

// materialStats counts pushes sent, pages opened, studies and the average
// reading time.
func materialStats(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	st, err := s.core.Materials.Stats(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, st)
	return nil
}

type categoriesBody struct {
	Categories []string `json:"categories"`
}

// materialCategories lists the categories materials may have.
func materialCategories(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	cs, err := s.core.Materials.Categories(r.Context(), by)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, categoriesBody{Categories: cs})
	return nil
}

// materialCategoriesPut replaces the list of categories.
func materialCategoriesPut(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in categoriesBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	cs, err := s.core.Materials.SetCategories(r.Context(), by, in.Categories)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, categoriesBody{Categories: cs})
	return nil
}
