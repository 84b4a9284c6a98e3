package handlers

import (
	"net/http"
	"slices"
	"time"

	"deputybot/core"
)

func init() { consoleRoute(http.MethodGet, "/admin/{$}", everyone, dashboard) }

type dashboardView struct {
	Total, Bound, Unbound int
	Deliveries            []statusCount
}

type statusCount struct {
	Status string
	Count  int
}

func dashboard(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
	var v dashboardView
	if slices.Contains(viewers, me.Role) {
		var err error
		if v.Total, v.Bound, err = s.d.DB.CountDeputies(r.Context()); err != nil {
			return err
		}
		v.Unbound = v.Total - v.Bound
		now := s.d.Now().In(s.d.Loc)
		midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.d.Loc)
		counts, err := s.d.DB.CountDeliveriesSince(r.Context(), midnight)
		if err != nil {
			return err
		}
		for _, st := range deliveryOrder {
			if n := counts[st]; n > 0 {
				v.Deliveries = append(v.Deliveries, statusCount{st, n})
			}
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", page{Title: "首页", Nav: "home", Me: me, Data: v})
	return nil
}
