package handlers

import (
	"fmt"
	"net/http"
	"time"

	"deputybot/core"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/solicitations", viewers, apiSolicitationsList)
	apiRoute(http.MethodPost, "/api/v1/solicitations", editors, apiSolicitationCreate)
	apiRoute(http.MethodGet, "/api/v1/solicitations/{id}", viewers, apiSolicitationGet)
}

type apiSolicitation struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary"`
	Link      string    `json:"link,omitempty"`
	Articles  int       `json:"articles"`
	OpensAt   time.Time `json:"opens_at"`
	ClosesAt  time.Time `json:"closes_at"`
	State     string    `json:"state"` // 未开始, 进行中, 已截止
	Opinions  int       `json:"opinions"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *server) apiSolicitationOf(sol core.Solicitation) apiSolicitation {
	return apiSolicitation{ID: sol.ID, Title: sol.Title, Summary: sol.Summary, Link: sol.Link, Articles: sol.Articles,
		OpensAt: sol.OpensAt, ClosesAt: sol.ClosesAt, State: windowState(s.d.Now(), sol.OpensAt, sol.ClosesAt),
		Opinions: sol.Opinions, CreatedAt: sol.CreatedAt}
}

func apiSolicitationsList(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
	list, err := s.opinions().Solicitations(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Solicitations []apiSolicitation `json:"solicitations"`
	}{Solicitations: []apiSolicitation{}}
	for _, sol := range list {
		out.Solicitations = append(out.Solicitations, s.apiSolicitationOf(sol))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiSolicitationCreate stores a solicitation; it is announced to every
// deputy in office when it opens (opens_at left out: now).
func apiSolicitationCreate(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
	var in struct {
		Title    string     `json:"title"`
		Summary  string     `json:"summary"`
		Link     string     `json:"link"`
		Articles int        `json:"articles"`
		OpensAt  *time.Time `json:"opens_at"`
		ClosesAt time.Time  `json:"closes_at"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sol := core.Solicitation{Title: in.Title, Summary: in.Summary, Link: in.Link, Articles: in.Articles, ClosesAt: in.ClosesAt}
	if in.OpensAt != nil {
		sol.OpensAt = *in.OpensAt
	}
	if err := s.opinions().CreateSolicitation(r.Context(), &sol); err != nil {
		return writeAPIValidation(w, err, solicitationKeys)
	}
	s.audit(r, me, "solicitation.create", fmt.Sprintf("solicitation/%d", sol.ID), fmt.Sprintf("新建征求意见《%s》，截止 %s",
		sol.Title, s.fmtTime(sol.ClosesAt)))
	w.Header().Set("Location", fmt.Sprintf("/api/v1/solicitations/%d", sol.ID))
	writeJSON(w, http.StatusCreated, s.apiSolicitationOf(sol))
	return nil
}

type apiArticleGroup struct {
	Article  string       `json:"article"` // 总体意见（未注明条款） for opinions on the whole draft
	Opinions []apiOpinion `json:"opinions"`
}

// apiSolicitationGet is a solicitation with its opinions grouped by
// article in the draft's order, the whole-draft opinions first.
func apiSolicitationGet(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	svc := s.opinions()
	sol, err := svc.Solicitation(r.Context(), id)
	if err != nil {
		return err
	}
	list, _, err := svc.List(r.Context(), core.OpinionFilter{SolicitationID: id})
	if err != nil {
		return err
	}
	out := struct {
		apiSolicitation
		Total  int               `json:"total"`
		Groups []apiArticleGroup `json:"groups"`
	}{apiSolicitation: s.apiSolicitationOf(sol), Total: len(list), Groups: []apiArticleGroup{}}
	for _, g := range groupByArticle(list) {
		ag := apiArticleGroup{Article: g.Article, Opinions: []apiOpinion{}}
		for _, o := range g.Opinions {
			ag.Opinions = append(ag.Opinions, apiOpinionOf(o.Opinion))
		}
		out.Groups = append(out.Groups, ag)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
