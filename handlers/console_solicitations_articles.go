package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/solicitations/{id}/articles", editors, solicitationArticlesForm)
	consoleRoute(http.MethodPost, "/admin/solicitations/{id}/articles", editors, solicitationArticlesSave)
}

// solicitationArticlesView is the page that stores (or replaces) the text
// of a draft already put out: it arrived later, or was corrected.
type solicitationArticlesView struct {
	S       model.Solicitation
	Draft   string
	Errors  fieldErrors
	Preview *draftPreview
}

func (s *server) renderSolicitationArticles(w http.ResponseWriter, r *http.Request, me model.Account, status int, v solicitationArticlesView) {
	s.render(w, r, status, "solicitation_articles", page{Title: "录入草案条文", Nav: "surveys", Me: me, Data: v})
}

func solicitationArticlesForm(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	sol, err := s.opinions().Solicitation(r.Context(), id)
	if err != nil {
		return err
	}
	list, err := s.opinions().Articles(r.Context(), id)
	if err != nil {
		return err
	}
	// The stored text, as it would be pasted, so a correction starts from it.
	var b strings.Builder
	for _, a := range list {
		fmt.Fprintf(&b, "%s　%s\n", a.Heading, a.Body)
	}
	s.renderSolicitationArticles(w, r, me, http.StatusOK, solicitationArticlesView{S: sol, Draft: b.String()})
	return nil
}

// solicitationArticlesSave splits the pasted text, shows the split for
// confirmation, then replaces the draft's articles.
func solicitationArticlesSave(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	svc := s.opinions()
	sol, err := svc.Solicitation(r.Context(), id)
	if err != nil {
		return err
	}
	v := solicitationArticlesView{S: sol, Draft: strings.TrimSpace(r.PostFormValue("draft"))}
	_, preview, confirmed, err := readDraft(v.Draft, r.PostFormValue("confirm"))
	v.Preview = preview
	if err == nil && v.Draft == "" {
		err = core.ValidationError{{Label: "草案全文", Msg: "请粘贴草案全文"}}
	}
	if err == nil && !confirmed {
		s.renderSolicitationArticles(w, r, me, http.StatusOK, v)
		return nil
	}
	if err == nil {
		_, err = svc.SetArticles(r.Context(), id, v.Draft)
	}
	if fe, ok := formErrors(err, solicitationKeys); ok {
		v.Errors = fe
		s.renderSolicitationArticles(w, r, me, http.StatusUnprocessableEntity, v)
		return nil
	} else if err != nil {
		return err
	}
	s.audit(r, me, "solicitation.articles", fmt.Sprintf("solicitation/%d", id),
		fmt.Sprintf("录入《%s》草案条文 %d 条", sol.Title, preview.Count))
	s.flash(r, fmt.Sprintf("已保存草案条文，共 %d 条。", preview.Count))
	http.Redirect(w, r, fmt.Sprintf("/admin/solicitations/%d", id), http.StatusSeeOther)
	return nil
}
