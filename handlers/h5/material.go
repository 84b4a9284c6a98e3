package h5

import (
	"context"

	"deputybot/model"
)

// The study material section: the text and the 学完 button.

type h5Material struct {
	ID                              int64
	Title, Summary, Link, Published string
	Paras                           []string
	Studied                         bool
	StudiedAt, Action               string
}

// h5StudyLookback is how far back the study record of a material is
// looked up (storage answers per deputy over the latest materials).
const h5StudyLookback = 200

func (h *server) materialSection(ctx context.Context, s *h5Section, dep, id int64, t h5Target, in h5Input) error {
	m, err := h.materials.Get(ctx, id)
	if err != nil {
		return err
	}
	if m.PublishedAt.After(h.d.Now()) {
		return model.ErrNotFound // scheduled, not yet for deputies' eyes
	}
	v := &h5Material{ID: m.ID, Title: m.Title, Summary: m.Summary, Link: m.Link, Published: h.fmtDate(m.PublishedAt),
		Paras: paragraphs(m.Body), Action: t.action("studied")}
	latest, err := h.materials.Latest(ctx, dep, h5StudyLookback)
	if err != nil {
		return err
	}
	for _, dm := range latest {
		if dm.ID == id && dm.StudiedAt != nil {
			v.Studied, v.StudiedAt = true, h.fmtTime(*dm.StudiedAt)
		}
	}
	if in.Done == "studied" {
		s.Done = "已记录：您已学习《" + m.Title + "》。"
	}
	s.Material = v
	return nil
}
