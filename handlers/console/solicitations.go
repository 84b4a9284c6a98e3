package console

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type solicitationRow struct {
	model.Solicitation
	State string
}

type solicitationsView struct {
	Rows      []solicitationRow
	CanCreate bool
}

func solicitationsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	list, err := s.core.Opinions.SolicitationsAs(r.Context(), by)
	if err != nil {
		return err
	}
	v := solicitationsView{CanCreate: slices.Contains(core.Editors, by.Role())}
	now := s.core.Now()
	for _, sol := range list {
		v.Rows = append(v.Rows, solicitationRow{Solicitation: sol, State: core.WindowState(now, sol.OpensAt, sol.ClosesAt)})
	}
	s.render(w, r, http.StatusOK, "solicitations", page{Title: "法规草案征求意见", Nav: "surveys", Me: by.Account, Data: v})
	return nil
}

// solicitationForm is the create form, as typed.
type solicitationForm struct {
	Title, Summary, Link, Articles, OpensAt, ClosesAt string
	Draft                                             string // the draft's full text, split into articles
	Confirm                                           string // the digest of the draft text whose preview staff confirmed
}

type solicitationFormView struct {
	Form    solicitationForm
	Errors  fieldErrors
	Preview *draftPreview // the split draft, shown for confirmation
}

func parseSolicitationForm(v url.Values) solicitationForm {
	return solicitationForm{Title: v.Get("title"), Summary: v.Get("summary"), Link: v.Get("link"),
		Articles: strings.TrimSpace(v.Get("articles")), OpensAt: strings.TrimSpace(v.Get("opens_at")),
		ClosesAt: strings.TrimSpace(v.Get("closes_at")), Draft: strings.TrimSpace(v.Get("draft")), Confirm: v.Get("confirm")}
}

// parseLocalTime reads a datetime-local input (or a date) in loc.
func parseLocalTime(v string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	return time.ParseInLocation(time.RFC3339, v, loc)
}

// solicitation reads what the form can check itself (numbers, times);
// core checks the rest.
func (f solicitationForm) solicitation(loc *time.Location) (model.Solicitation, core.ValidationError) {
	sol := model.Solicitation{Title: f.Title, Summary: f.Summary, Link: f.Link}
	var errs core.ValidationError
	if f.Articles != "" {
		n, err := strconv.Atoi(f.Articles)
		if err != nil {
			errs = append(errs, &core.FieldError{Key: "articles", Label: "条数", Value: f.Articles, Msg: "应为整数（不清楚可留空）"})
		}
		sol.Articles = n
	}
	for _, t := range []struct {
		key, label, v string
		dst           *time.Time
	}{{"opens_at", "开始时间", f.OpensAt, &sol.OpensAt}, {"closes_at", "截止时间", f.ClosesAt, &sol.ClosesAt}} {
		if t.v == "" {
			continue
		}
		v, err := parseLocalTime(t.v, loc)
		if err != nil {
			errs = append(errs, &core.FieldError{Key: t.key, Label: t.label, Value: t.v, Msg: "格式应为 2026-03-31 18:00"})
			continue
		}
		*t.dst = v
	}
	return sol, errs
}

// draftPreview is what staff confirm before a pasted draft is saved: how
// many articles were found, the first and the last, and the lines that
// looked like a heading but were read as text.
type draftPreview struct {
	Count       int
	First, Last articlePreview
	Warnings    []string
	Digest      string // names the text previewed: a changed text is previewed again
}

type articlePreview struct{ Heading, Excerpt string }

// readDraft splits the pasted draft for its preview; confirmed reports
// whether staff saw this very text's preview and confirmed it.
func readDraft(text, confirm string) (preview *draftPreview, confirmed bool, err error) {
	if text == "" {
		return nil, true, nil
	}
	d, err := core.ReadDraft(text)
	if err != nil {
		return nil, false, err
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(text)))
	first, last := d.Articles[0], d.Articles[len(d.Articles)-1]
	preview = &draftPreview{Count: len(d.Articles), Warnings: d.Warnings, Digest: hex.EncodeToString(sum[:12]),
		First: articlePreview{first.Heading, core.Excerpt(first.Body, 30)},
		Last:  articlePreview{last.Heading, core.Excerpt(last.Body, 30)}}
	return preview, confirm == preview.Digest, nil
}

func (s *server) renderSolicitationForm(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v solicitationFormView) {
	s.render(w, r, status, "solicitation_form", page{Title: "新建征求意见", Nav: "surveys", Me: by.Account, Data: v})
}

func solicitationNew(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f := solicitationForm{ClosesAt: s.core.Now().In(s.core.Location()).AddDate(0, 0, 30).Format("2006-01-02") + "T18:00"}
	s.renderSolicitationForm(w, r, by, http.StatusOK, solicitationFormView{Form: f})
	return nil
}

// solicitationCreate stores the solicitation; core announces it to every
// deputy in office when it opens. A pasted draft is split into articles
// and shown for confirmation first.
func solicitationCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	f := parseSolicitationForm(r.PostForm)
	sol, pre := f.solicitation(s.core.Location())
	var err error
	preview, confirmed, derr := readDraft(f.Draft, f.Confirm)
	if verr, ok := core.Fields(derr); ok {
		pre = append(pre, verr...)
	} else if derr != nil {
		return derr
	}
	switch {
	case len(pre) > 0:
		err = pre
	case !confirmed:
		// The split is shown before anything is stored.
		s.renderSolicitationForm(w, r, by, http.StatusOK, solicitationFormView{Form: f, Preview: preview})
		return nil
	default:
		_, err = s.core.Opinions.CreateSolicitationAs(r.Context(), by, &sol, f.Draft)
	}
	if fe, ok := fieldErrorsOf(err); ok {
		s.renderSolicitationForm(w, r, by, http.StatusUnprocessableEntity, solicitationFormView{Form: f, Errors: fe, Preview: preview})
		return nil
	} else if err != nil {
		return err
	}
	s.flash(r, "已新建征求意见，开始时将推送给全体在任代表。")
	http.Redirect(w, r, fmt.Sprintf("/admin/solicitations/%d", sol.ID), http.StatusSeeOther)
	return nil
}

// articleGroup is the opinions on one article of a draft.
type articleGroup struct {
	Article  string
	Text     []string // the article's text, when stored
	Opinions []articleOpinion
}

// articleOpinion is an opinion in its article's group; Sub is the
// paragraph it names (第二款), if any.
type articleOpinion struct {
	model.Opinion
	StatusLabel, Sub string
}

type solicitationView struct {
	S         model.Solicitation
	State     string
	Summary   []string
	Groups    []articleGroup
	Total     int
	Commented int                       // articles with at least one opinion
	Adopted   map[int64]*model.Adoption // by opinion id; nil: not adopted
	CanMark   bool                      // may mark opinions adopted
	CanEdit   bool                      // may export and replace the draft's text
}

func solicitationShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	so, err := s.core.Opinions.ByArticleAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	sol := so.Solicitation
	editor := slices.Contains(core.Editors, by.Role())
	v := solicitationView{S: sol, State: core.WindowState(s.core.Now(), sol.OpensAt, sol.ClosesAt), Summary: lines(sol.Summary),
		Total: so.Total, Adopted: map[int64]*model.Adoption{}, CanMark: editor, CanEdit: editor}
	for id, a := range so.Adopted {
		v.Adopted[id] = &a
	}
	for _, g := range so.Groups {
		if g.Article != core.WholeDraftGroup {
			v.Commented++
		}
		ag := articleGroup{Article: g.Article, Text: lines(g.Text)}
		for _, o := range g.Opinions {
			ag.Opinions = append(ag.Opinions, articleOpinion{Opinion: o.Opinion, StatusLabel: core.OpinionStatusLabel(o.Status), Sub: o.Sub})
		}
		v.Groups = append(v.Groups, ag)
	}
	s.render(w, r, http.StatusOK, "solicitation", page{Title: sol.Title, Nav: "surveys", Me: by.Account, Data: v})
	return nil
}

// solicitationArticlesView is the page that stores (or replaces) the text
// of a draft already put out: it arrived later, or was corrected.
type solicitationArticlesView struct {
	S       model.Solicitation
	Draft   string
	Errors  fieldErrors
	Preview *draftPreview
}

func (s *server) renderSolicitationArticles(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v solicitationArticlesView) {
	s.render(w, r, status, "solicitation_articles", page{Title: "录入草案条文", Nav: "surveys", Me: by.Account, Data: v})
}

func solicitationArticlesForm(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	so, err := s.core.Opinions.ByArticleAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	// The stored text, as it would be pasted, so a correction starts from it.
	var b strings.Builder
	for _, a := range so.Articles {
		fmt.Fprintf(&b, "%s　%s\n", a.Heading, a.Body)
	}
	s.renderSolicitationArticles(w, r, by, http.StatusOK, solicitationArticlesView{S: so.Solicitation, Draft: b.String()})
	return nil
}

// solicitationArticlesSave splits the pasted text, shows the split for
// confirmation, then replaces the draft's articles.
func solicitationArticlesSave(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	sol, err := s.core.Opinions.SolicitationAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	v := solicitationArticlesView{S: sol, Draft: strings.TrimSpace(r.PostFormValue("draft"))}
	preview, confirmed, err := readDraft(v.Draft, r.PostFormValue("confirm"))
	v.Preview = preview
	if err == nil && v.Draft != "" && !confirmed {
		s.renderSolicitationArticles(w, r, by, http.StatusOK, v)
		return nil
	}
	var d core.DraftParse
	if err == nil {
		d, err = s.core.Opinions.SetArticlesAs(r.Context(), by, id, v.Draft)
	}
	if fe, ok := fieldErrorsOf(err); ok {
		v.Errors = fe
		s.renderSolicitationArticles(w, r, by, http.StatusUnprocessableEntity, v)
		return nil
	} else if err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("已保存草案条文，共 %d 条。", len(d.Articles)))
	http.Redirect(w, r, fmt.Sprintf("/admin/solicitations/%d", id), http.StatusSeeOther)
	return nil
}

// solicitationExport downloads the opinions on one draft for the
// legislative affairs committee.
func solicitationExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return httpkit.ExportByID(w, r, by, s.core.Opinions.ExportOpinionsAs)
}

// solicitationsExport downloads every solicitation as Excel.
func solicitationsExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Opinions.ExportSolicitationsAs(r.Context(), by)
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
