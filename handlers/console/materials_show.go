package console

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type materialView struct {
	Material                    model.Material
	Status, Published, ReadTime string
	Draft, Archived, Scheduled  bool
	Stats                       model.MaterialStats
	Preview                     materialPreview
}

// materialShow shows a material as the deputy will see it, with its
// statistics and what can be done with it.
func materialShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	m, err := s.materialOfPath(r, by)
	if err != nil {
		return err
	}
	st, err := s.core.Materials.Stats(r.Context(), by, m.ID)
	if err != nil {
		return err
	}
	now := s.core.Now()
	v := materialView{Material: m, Status: m.StatusText(now), Draft: m.Status == model.MaterialDraft,
		Archived: m.Status == model.MaterialArchived, Scheduled: m.Scheduled(now), Stats: st, Preview: previewOf(m),
		ReadTime: minutes(st.AvgReadSeconds)}
	if !v.Draft {
		v.Published = s.fmtTime(m.PublishedAt)
	}
	s.render(w, r, http.StatusOK, "material", page{Title: m.Title, Nav: "materials", Me: by.Account, Data: v})
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
	s.flash(r, fmt.Sprintf("已归档“%s”，代表不再能在列表中看到它；学习记录仍保留。", m.Title))
	http.Redirect(w, r, fmt.Sprintf("/admin/materials/%d", m.ID), http.StatusSeeOther)
	return nil
}

// fileDownload downloads an uploaded file.
func fileDownload(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	f, data, err := s.core.Files.Open(r.Context(), by, id)
	if err != nil {
		return err
	}
	serveFile(w, r, f, data)
	return nil
}
