package handlers

import (
	"net/http"

	"deputybot/core"
	"deputybot/storage"
)

func init() { consoleRoute(http.MethodGet, "/admin/deputies/{id}", viewers, deputyShow) }

// recentDeliveries is how many pushes a deputy's page lists.
const recentDeliveries = 20

type deputyView struct {
	Deputy     core.Deputy
	Deliveries []storage.DeputyDelivery
}

func deputyShow(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := s.registry.Get(r.Context(), id)
	if err != nil {
		return err
	}
	dls, err := s.d.DB.RecentDeliveriesOf(r.Context(), id, recentDeliveries)
	if err != nil {
		return err
	}
	v := deputyView{Deputy: forViewer(me, d)[0], Deliveries: dls}
	s.render(w, r, http.StatusOK, "deputy", page{Title: d.Name, Nav: "deputies", Me: me, Data: v})
	return nil
}
