package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

type materialLine struct {
	ID                                     int64
	Title, Category, Status, Published, By string
	Studied                                int
	Draft, Archived                        bool
}

type materialsView struct {
	Q, Status, Category string
	Statuses            []option
	Categories          []string
	Materials           []materialLine
	Pager               pager
}

// materialsList pages through the materials: ?q= searches, ?status= and
// ?category= filter.
func materialsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	v := materialsView{Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Category: q.Get("category"),
		Statuses: materialStatusOptions()}
	ok := v.Status == ""
	for _, o := range v.Statuses {
		ok = ok || o.Value == v.Status
	}
	if !ok {
		v.Status = ""
	}
	cats, err := s.core.Materials.Categories(r.Context(), by)
	if err != nil {
		return err
	}
	v.Categories = cats
	pg := pageParam(q)
	rows, total, err := s.core.Materials.List(r.Context(), by, model.MaterialFilter{Q: v.Q, Status: v.Status, Category: v.Category,
		Limit: materialsPageSize, Offset: (pg - 1) * materialsPageSize})
	if err != nil {
		return err
	}
	v.Pager = newPager(total, pg, materialsPageSize, func(p int) string {
		u := url.Values{"page": {strconv.Itoa(p)}}
		for k, x := range map[string]string{"q": v.Q, "status": v.Status, "category": v.Category} {
			if x != "" {
				u.Set(k, x)
			}
		}
		return "/admin/materials?" + u.Encode()
	})
	now := s.core.Now()
	for _, m := range rows {
		l := materialLine{ID: m.ID, Title: m.Title, Category: m.Category, Status: m.StatusText(now), By: m.CreatedBy,
			Studied: m.Studied, Draft: m.Status == model.MaterialDraft, Archived: m.Status == model.MaterialArchived}
		if !l.Draft {
			l.Published = s.fmtTime(m.PublishedAt)
		}
		v.Materials = append(v.Materials, l)
	}
	s.render(w, r, http.StatusOK, "materials", page{Title: "学习材料", Nav: "materials", Me: by.Account, Data: v})
	return nil
}
