package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/api"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/solicitations", viewers, apiSolicitationsList)
	apiRoute(http.MethodPost, "/api/v1/solicitations", editors, apiSolicitationCreate)
	apiRoute(http.MethodGet, "/api/v1/solicitations/{id}", viewers, apiSolicitationGet)
	apiRoute(http.MethodPut, "/api/v1/solicitations/{id}/articles", editors, apiSolicitationArticlesPut)
	apiRoute(http.MethodGet, "/api/v1/solicitations/{id}/export", editors, apiSolicitationOpinionsExport)
}

type apiSolicitation struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary"`
	Link      string    `json:"link,omitempty"`
	Articles  int       `json:"articles"`
	Texts     int       `json:"texts"` // articles whose text is stored
	OpensAt   time.Time `json:"opens_at"`
	ClosesAt  time.Time `json:"closes_at"`
	State     string    `json:"state"` // 未开始, 进行中, 已截止
	Opinions  int       `json:"opinions"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *server) apiSolicitationOf(sol model.Solicitation) apiSolicitation {
	return apiSolicitation{ID: sol.ID, Title: sol.Title, Summary: sol.Summary, Link: sol.Link, Articles: sol.Articles,
		Texts: sol.Texts, OpensAt: sol.OpensAt, ClosesAt: sol.ClosesAt, State: windowState(s.d.Now(), sol.OpensAt, sol.ClosesAt),
		Opinions: sol.Opinions, CreatedAt: sol.CreatedAt}
}

func apiSolicitationsList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
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
// deputy in office when it opens (opens_at left out: now). The draft's
// full text, when given, is split into its articles.
func apiSolicitationCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in struct {
		Title    string     `json:"title"`
		Summary  string     `json:"summary"`
		Link     string     `json:"link"`
		Articles int        `json:"articles"`
		Text     string     `json:"text"`
		OpensAt  *time.Time `json:"opens_at"`
		ClosesAt time.Time  `json:"closes_at"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sol := model.Solicitation{Title: in.Title, Summary: in.Summary, Link: in.Link, Articles: in.Articles, ClosesAt: in.ClosesAt}
	if in.OpensAt != nil {
		sol.OpensAt = *in.OpensAt
	}
	var d core.DraftParse
	if strings.TrimSpace(in.Text) != "" {
		var err error
		if d, err = core.ParseDraft(in.Text); err != nil {
			return writeAPIValidation(w, err, apiSolicitationKeys)
		}
		sol.Draft = d.Articles
	}
	if err := s.opinions().CreateSolicitation(r.Context(), &sol); err != nil {
		return writeAPIValidation(w, err, apiSolicitationKeys)
	}
	detail := fmt.Sprintf("新建征求意见《%s》，截止 %s", sol.Title, s.fmtTime(sol.ClosesAt))
	if len(sol.Draft) > 0 {
		detail += fmt.Sprintf("，草案全文 %d 条", len(sol.Draft))
	}
	s.audit(r, me, "solicitation.create", fmt.Sprintf("solicitation/%d", sol.ID), detail)
	w.Header().Set("Location", fmt.Sprintf("/api/v1/solicitations/%d", sol.ID))
	sol.Texts = len(sol.Draft)
	writeJSON(w, http.StatusCreated, struct {
		apiSolicitation
		Warnings []string `json:"warnings"`
	}{s.apiSolicitationOf(sol), orEmpty(d.Warnings)})
	return nil
}

// apiSolicitationKeys names the JSON properties of core's solicitation fields.
var apiSolicitationKeys = mapKeys(map[string]string{"标题": "title", "说明": "summary", "草案链接": "link", "条数": "articles",
	"开始时间": "opens_at", "截止时间": "closes_at", "草案全文": "text"})

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apiArticle is one article of a draft.
type apiArticle struct {
	Number  int    `json:"number"`
	Heading string `json:"heading"`
	Text    string `json:"text"`
}

// apiSolicitationArticlesPut replaces the articles of a draft with those
// split from its full text; an opinion on an article the new text lacks
// refuses the change (422).
func apiSolicitationArticlesPut(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	var in struct {
		Text string `json:"text"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	svc := s.opinions()
	sol, err := svc.Solicitation(r.Context(), id)
	if err != nil {
		return err
	}
	d, err := svc.SetArticles(r.Context(), id, in.Text)
	if err != nil {
		return writeAPIValidation(w, err, apiSolicitationKeys)
	}
	s.audit(r, me, "solicitation.articles", fmt.Sprintf("solicitation/%d", id),
		fmt.Sprintf("录入《%s》草案条文 %d 条", sol.Title, len(d.Articles)))
	out := struct {
		Articles []apiArticle `json:"articles"`
		Warnings []string     `json:"warnings"`
	}{Articles: apiArticlesOf(d.Articles), Warnings: orEmpty(d.Warnings)}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func apiArticlesOf(list []model.SolicitationArticle) []apiArticle {
	out := make([]apiArticle, len(list))
	for i, a := range list {
		out[i] = apiArticle{Number: a.Number, Heading: a.Heading, Text: a.Body}
	}
	return out
}

// apiSolicitationOpinionsExport is the sheet for the legislative affairs
// committee: one row per opinion, in the draft's article order.
func apiSolicitationOpinionsExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return solicitationOpinionsExport(s, w, r, me)
}

type apiArticleGroup struct {
	Article  string        `json:"article"`        // 总体意见（未注明条款） for opinions on the whole draft
	Text     string        `json:"text,omitempty"` // the article's text, when stored
	Opinions []api.Opinion `json:"opinions"`
}

// apiSolicitationGet is a solicitation with its opinions grouped by
// article in the draft's order, the whole-draft opinions first.
func apiSolicitationGet(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	svc := s.opinions()
	sol, err := svc.Solicitation(r.Context(), id)
	if err != nil {
		return err
	}
	list, _, err := svc.List(r.Context(), model.OpinionFilter{SolicitationID: id})
	if err != nil {
		return err
	}
	articles, err := svc.Articles(r.Context(), id)
	if err != nil {
		return err
	}
	out := struct {
		apiSolicitation
		ArticleList []apiArticle      `json:"article_list"`
		Total       int               `json:"total"`
		Groups      []apiArticleGroup `json:"groups"`
	}{apiSolicitation: s.apiSolicitationOf(sol), ArticleList: apiArticlesOf(articles), Total: len(list), Groups: []apiArticleGroup{}}
	for _, g := range groupByArticle(list, articles) {
		ag := apiArticleGroup{Article: g.Article, Text: strings.Join(g.Text, "\n"), Opinions: []api.Opinion{}}
		for _, o := range g.Opinions {
			ag.Opinions = append(ag.Opinions, api.OpinionOf(o.Opinion))
		}
		out.Groups = append(out.Groups, ag)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
