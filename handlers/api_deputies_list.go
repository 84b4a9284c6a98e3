package handlers

import (
	"deputybot/model"
	"net/http"
	"strconv"
)

func init() { apiRoute(http.MethodGet, "/api/v1/deputies", viewers, apiDeputiesList) }

type apiDeputyPage struct {
	Total    int         `json:"total"`
	Page     int         `json:"page"`
	PerPage  int         `json:"per_page"`
	Note     string      `json:"note,omitempty"`
	Deputies []apiDeputy `json:"deputies"`
}

// apiDeputiesList pages through deputies with the console's filters
// (delegation, level, grassroots, group, tag, status, bound, q) plus
// per_page (1–500, default 50).
func apiDeputiesList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	q := parseDeputyQuery(r.URL.Query())
	per := deputyPageSize
	if v := r.URL.Query().Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return badRequest("per_page 应为 1 到 500 之间的整数")
		}
		per = n
	}
	f, note := q.filter(me)
	f.Limit, f.Offset = per, (q.Page-1)*per
	ds, total, err := s.registry.List(r.Context(), f)
	if err != nil {
		return err
	}
	out := apiDeputyPage{Total: total, Page: q.Page, PerPage: per, Note: note, Deputies: []apiDeputy{}}
	for _, d := range forViewer(me, ds...) {
		out.Deputies = append(out.Deputies, apiDeputyOf(d))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
