package api

import (
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// opinionPageSize is the default page length of GET /api/v1/opinions.
const opinionPageSize = 50

// Opinion is an opinion as the API writes it.
type Opinion struct {
	ID                int64      `json:"id"`
	Receipt           string     `json:"receipt"`
	DeputyID          int64      `json:"deputy_id"`
	DeputyName        string     `json:"deputy_name"`
	Category          string     `json:"category"`
	CategoryLabel     string     `json:"category_label"`
	SolicitationID    int64      `json:"solicitation_id,omitempty"`
	SolicitationTitle string     `json:"solicitation_title,omitempty"`
	Article           string     `json:"article,omitempty"`
	Body              string     `json:"body"`
	Status            string     `json:"status"`
	StaffReply        string     `json:"staff_reply,omitempty"`
	RepliedAt         *time.Time `json:"replied_at,omitempty"`
	Channel           string     `json:"channel"`
	CreatedAt         time.Time  `json:"created_at"`
	// Attachments are the photos and voice audio the deputy sent while
	// writing it (GET /api/v1/opinions/{id} only).
	Attachments []file `json:"attachments,omitempty"`
}

// OpinionOf is o as the API writes it.
func OpinionOf(o model.Opinion) Opinion {
	return Opinion{ID: o.ID, Receipt: o.Receipt, DeputyID: o.DeputyID, DeputyName: o.DeputyName, Category: o.Category,
		CategoryLabel: core.OpinionCategoryLabel(o.Category), SolicitationID: o.SolicitationID,
		SolicitationTitle: o.SolicitationTitle, Article: o.Article, Body: o.Body, Status: o.Status,
		StaffReply: o.StaffReply, RepliedAt: o.RepliedAt, Channel: o.Channel, CreatedAt: o.CreatedAt,
		Attachments: filesOf(o.Files)}
}

// filesOf is fs as the API writes them (nil for none).
func filesOf(fs []model.File) []file {
	var out []file
	for _, f := range fs {
		out = append(out, fileOf(f))
	}
	return out
}

// opinionsList pages through opinions, newest first, with the console's
// filters (category, status, solicitation, deputy, deputy_id, assignee=me).
func opinionsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := httpkit.ParseOpinionQuery(r.URL.Query())
	per, err := perPageOf(r.URL.Query(), opinionPageSize, 500)
	if err != nil {
		return err
	}
	list, total, err := s.core.Opinions.ListAs(r.Context(), by, q.Filter(by, per))
	if err != nil {
		return err
	}
	out := struct {
		Total    int       `json:"total"`
		Page     int       `json:"page"`
		PerPage  int       `json:"per_page"`
		Opinions []Opinion `json:"opinions"`
	}{Total: total, Page: q.Page, PerPage: per, Opinions: []Opinion{}}
	for _, o := range list {
		out.Opinions = append(out.Opinions, OpinionOf(o))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func opinionGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	o, err := s.core.Opinions.GetAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, OpinionOf(o))
	return nil
}

// opinionReply answers an opinion: {"reply": "…"}. The reply is pushed to
// the deputy who sent it.
func opinionReply(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reply string `json:"reply"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := s.core.Opinions.ReplyAs(r.Context(), by, id, in.Reply)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, OpinionOf(o))
	return nil
}

// opinionClose marks an opinion handled (已办结) and answers with it.
func opinionClose(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	o, err := s.core.Opinions.CloseAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, OpinionOf(o))
	return nil
}

// opinionAdopt marks an opinion on a draft regulation adopted ({"note": …}
// optional, the body may be empty); its author is told.
func opinionAdopt(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	a, adopted, err := s.core.Opinions.AdoptAs(r.Context(), by, id, in.Note)
	if err != nil {
		return err
	}
	o, err := s.core.Opinions.GetAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		OpinionID int64     `json:"opinion_id"`
		Receipt   string    `json:"receipt"`
		Adopted   bool      `json:"adopted"` // false when it was adopted before
		AdoptedBy string    `json:"adopted_by"`
		AdoptedAt time.Time `json:"adopted_at"`
		Note      string    `json:"note"`
	}{o.ID, o.Receipt, adopted, a.AdoptedBy, a.AdoptedAt, a.Note})
	return nil
}
