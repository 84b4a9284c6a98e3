package handlers

import (
	"deputybot/model"
	"net/http"
)

func init() { consoleRoute(http.MethodGet, "/admin/deputies", viewers, deputiesList) }

// deputyPageSize is the length of a page of the deputy list.
const deputyPageSize = 50

type deputiesView struct {
	Query       deputyQuery
	Note        string
	Deputies    []model.Deputy
	Pager       pager
	Delegations []string
	Groups      []string
	Tags        []string
	ExportURL   string
}

func deputiesList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	q := parseDeputyQuery(r.URL.Query())
	f, note := q.filter(me)
	f.Limit, f.Offset = deputyPageSize, (q.Page-1)*deputyPageSize
	ds, total, err := s.registry.List(ctx, f)
	if err != nil {
		return err
	}
	v := deputiesView{Query: q, Note: note, Deputies: forViewer(me, ds...),
		Pager: newPager(total, q.Page, deputyPageSize, func(p int) string { return "/admin/deputies?" + q.values(p).Encode() })}
	if canExport(me.Role) {
		v.ExportURL = "/admin/deputies/export?" + q.values(1).Encode()
	}
	dels, err := s.d.DB.ListDelegations(ctx)
	if err != nil {
		return err
	}
	for _, d := range dels {
		v.Delegations = append(v.Delegations, d.Name)
	}
	if v.Tags, err = s.d.DB.ListTags(ctx); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "deputies", page{Title: "代表名册", Nav: "deputies", Me: me, Data: v})
	return nil
}

// canExport reports whether the role may download the registry: an export
// holds every phone number.
func canExport(role string) bool { return canSeePhones(role) }
