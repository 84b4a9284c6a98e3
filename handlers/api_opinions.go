package handlers

import (
	"fmt"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/opinions", viewers, apiOpinionsList)
	apiRoute(http.MethodGet, "/api/v1/opinions/{id}", viewers, apiOpinionGet)
	apiRoute(http.MethodPost, "/api/v1/opinions/{id}/reply", editors, apiOpinionReply)
}

type apiOpinion struct {
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
}

func apiOpinionOf(o model.Opinion) apiOpinion {
	return apiOpinion{ID: o.ID, Receipt: o.Receipt, DeputyID: o.DeputyID, DeputyName: o.DeputyName, Category: o.Category,
		CategoryLabel: core.OpinionCategoryLabel(o.Category), SolicitationID: o.SolicitationID,
		SolicitationTitle: o.SolicitationTitle, Article: o.Article, Body: o.Body, Status: o.Status,
		StaffReply: o.StaffReply, RepliedAt: o.RepliedAt, Channel: o.Channel, CreatedAt: o.CreatedAt}
}

type apiOpinionPage struct {
	Total    int          `json:"total"`
	Page     int          `json:"page"`
	PerPage  int          `json:"per_page"`
	Opinions []apiOpinion `json:"opinions"`
}

// apiOpinionsList pages through opinions, newest first, with the inbox's
// filters (category, status, solicitation, deputy, deputy_id).
func apiOpinionsList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	q := parseOpinionQuery(r.URL.Query())
	per, err := perPage(r, opinionPageSize)
	if err != nil {
		return err
	}
	list, total, err := s.listOpinions(r.Context(), q, per)
	if err != nil {
		return err
	}
	out := apiOpinionPage{Total: total, Page: q.Page, PerPage: per, Opinions: []apiOpinion{}}
	for _, o := range list {
		out.Opinions = append(out.Opinions, apiOpinionOf(o))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func apiOpinionGet(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	o, err := s.opinionOfPath(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiOpinionOf(o))
	return nil
}

// apiOpinionReply answers an opinion: {"reply": "…"}. The reply is pushed
// to the deputy who sent it.
func apiOpinionReply(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	o, err := s.opinionOfPath(r)
	if err != nil {
		return err
	}
	var in struct {
		Reply string `json:"reply"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.opinions().Reply(r.Context(), o.ID, in.Reply); err != nil {
		return writeAPIValidation(w, err, opinionKeys)
	}
	s.audit(r, me, "opinion.reply", opinionObject(o), fmt.Sprintf("答复 %s 的意见 %s", o.DeputyName, o.Receipt))
	after, err := s.opinions().Get(r.Context(), o.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiOpinionOf(after))
	return nil
}
