package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

type messagePage struct {
	Total    int       `json:"total"`
	Page     int       `json:"page"`
	PerPage  int       `json:"per_page"`
	Messages []message `json:"messages"`
}

// messagesList pages through the inbox, newest first; status, sender,
// assignee and deputy_id filter.
func messagesList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	per, err := perPageOf(q, 50, 200)
	if err != nil {
		return err
	}
	f, err := messageFilterOf(q, by)
	if err != nil {
		return err
	}
	pg := pageOf(q)
	f.Limit, f.Offset = per, (pg-1)*per
	ms, total, err := s.core.Messages.List(r.Context(), by, f)
	if err != nil {
		return err
	}
	out := messagePage{Total: total, Page: pg, PerPage: per, Messages: []message{}}
	for _, m := range ms {
		out.Messages = append(out.Messages, messageOf(m))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// messagesExport downloads the inbox (its filters, every page) as Excel.
func messagesExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := messageFilterOf(r.URL.Query(), by)
	if err != nil {
		return err
	}
	file, err := s.core.Messages.Export(r.Context(), by, f)
	if err != nil {
		return err
	}
	httpkit.SendExport(w, file)
	return nil
}
