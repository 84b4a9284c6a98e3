package api

import (
	"fmt"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type solicitation struct {
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

func (s *server) solicitationOf(sol model.Solicitation) solicitation {
	return solicitation{ID: sol.ID, Title: sol.Title, Summary: sol.Summary, Link: sol.Link, Articles: sol.Articles,
		Texts: sol.Texts, OpensAt: sol.OpensAt, ClosesAt: sol.ClosesAt, State: core.WindowState(s.core.Now(), sol.OpensAt, sol.ClosesAt),
		Opinions: sol.Opinions, CreatedAt: sol.CreatedAt}
}

// article is one article of a draft.
type article struct {
	Number  int    `json:"number"`
	Heading string `json:"heading"`
	Text    string `json:"text"`
}

func articlesOf(list []model.SolicitationArticle) []article {
	out := make([]article, len(list))
	for i, a := range list {
		out[i] = article{Number: a.Number, Heading: a.Heading, Text: a.Body}
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func solicitationsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	list, err := s.core.Opinions.SolicitationsAs(r.Context(), by)
	if err != nil {
		return err
	}
	out := struct {
		Solicitations []solicitation `json:"solicitations"`
	}{Solicitations: []solicitation{}}
	for _, sol := range list {
		out.Solicitations = append(out.Solicitations, s.solicitationOf(sol))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// solicitationCreate stores a solicitation; it is announced to every
// deputy in office when it opens (opens_at left out: now). The draft's
// full text, when given, is split into its articles.
func solicitationCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
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
	d, err := s.core.Opinions.CreateSolicitationAs(r.Context(), by, &sol, in.Text)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/solicitations/%d", sol.ID))
	httpkit.WriteJSON(w, http.StatusCreated, struct {
		solicitation
		Warnings []string `json:"warnings"`
	}{s.solicitationOf(sol), orEmpty(d.Warnings)})
	return nil
}

// solicitationGet is a solicitation with its opinions grouped by article
// in the draft's order, the whole-draft opinions first.
func solicitationGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	so, err := s.core.Opinions.ByArticleAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	type group struct {
		Article  string    `json:"article"`        // 总体意见（未注明条款） for opinions on the whole draft
		Text     string    `json:"text,omitempty"` // the article's text, when stored
		Opinions []Opinion `json:"opinions"`
	}
	out := struct {
		solicitation
		ArticleList []article `json:"article_list"`
		Total       int       `json:"total"`
		Groups      []group   `json:"groups"`
	}{solicitation: s.solicitationOf(so.Solicitation), ArticleList: articlesOf(so.Articles), Total: so.Total, Groups: []group{}}
	for _, g := range so.Groups {
		og := group{Article: g.Article, Text: g.Text, Opinions: []Opinion{}}
		for _, o := range g.Opinions {
			og.Opinions = append(og.Opinions, OpinionOf(o.Opinion))
		}
		out.Groups = append(out.Groups, og)
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// solicitationArticlesPut replaces the articles of a draft with those
// split from its full text ({"text": …}); an opinion on an article the
// new text lacks refuses the change (422).
func solicitationArticlesPut(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Text string `json:"text"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := s.core.Opinions.SetArticlesAs(r.Context(), by, id, in.Text)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		Articles []article `json:"articles"`
		Warnings []string  `json:"warnings"`
	}{Articles: articlesOf(d.Articles), Warnings: orEmpty(d.Warnings)})
	return nil
}

// solicitationExport is the sheet for the legislative affairs committee:
// one row per opinion, in the draft's article order.
func solicitationExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return httpkit.ExportByID(w, r, by, s.core.Opinions.ExportOpinionsAs)
}
