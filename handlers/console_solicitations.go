package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/solicitations", viewers, solicitationsList)
	consoleRoute(http.MethodGet, "/admin/solicitations/new", editors, solicitationNew)
	consoleRoute(http.MethodPost, "/admin/solicitations", editors, solicitationCreate)
	consoleRoute(http.MethodGet, "/admin/solicitations/{id}", viewers, solicitationShow)
}

type solicitationRow struct {
	model.Solicitation
	State string
}

type solicitationsView struct {
	Rows      []solicitationRow
	CanCreate bool
}

func solicitationsList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	list, err := s.opinions().Solicitations(r.Context())
	if err != nil {
		return err
	}
	v := solicitationsView{CanCreate: slices.Contains(editors, me.Role)}
	now := s.d.Now()
	for _, sol := range list {
		v.Rows = append(v.Rows, solicitationRow{Solicitation: sol, State: windowState(now, sol.OpensAt, sol.ClosesAt)})
	}
	s.render(w, r, http.StatusOK, "solicitations", page{Title: "法规草案征求意见", Nav: "surveys", Me: me, Data: v})
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

var solicitationKeys = mapKeys(map[string]string{"标题": "title", "说明": "summary", "草案链接": "link", "条数": "articles",
	"开始时间": "opens_at", "截止时间": "closes_at", "草案全文": "draft"})

func parseSolicitationForm(v url.Values) solicitationForm {
	return solicitationForm{Title: v.Get("title"), Summary: v.Get("summary"), Link: v.Get("link"),
		Articles: strings.TrimSpace(v.Get("articles")), OpensAt: strings.TrimSpace(v.Get("opens_at")),
		ClosesAt: strings.TrimSpace(v.Get("closes_at")), Draft: strings.TrimSpace(v.Get("draft")), Confirm: v.Get("confirm")}
}

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
		field, v string
		dst      *time.Time
	}{{"开始时间", f.OpensAt, &sol.OpensAt}, {"截止时间", f.ClosesAt, &sol.ClosesAt}} {
		if t.v == "" {
			continue
		}
		v, err := parseLocalTime(t.v, loc)
		if err != nil {
			errs = append(errs, &core.FieldError{Label: t.field, Value: t.v, Msg: "格式应为 2026-03-31 18:00"})
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

func previewOf(d core.DraftParse, text string) *draftPreview {
	first, last := d.Articles[0], d.Articles[len(d.Articles)-1]
	return &draftPreview{Count: len(d.Articles), Warnings: d.Warnings, Digest: draftDigest(text),
		First: articlePreview{first.Heading, core.Excerpt(first.Body, 30)},
		Last:  articlePreview{last.Heading, core.Excerpt(last.Body, 30)}}
}

// draftDigest identifies a draft's text between its preview and its
// confirmation.
func draftDigest(text string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(text)))
	return hex.EncodeToString(sum[:12])
}

// readDraft splits the pasted draft; confirmed reports whether staff saw
// this very text's preview and confirmed it.
func readDraft(text, confirm string) (d core.DraftParse, preview *draftPreview, confirmed bool, err error) {
	if text == "" {
		return d, nil, true, nil
	}
	if d, err = core.ParseDraft(text); err != nil {
		return d, nil, false, err
	}
	preview = previewOf(d, text)
	return d, preview, confirm == preview.Digest, nil
}

func (s *server) renderSolicitationForm(w http.ResponseWriter, r *http.Request, me model.Account, status int, v solicitationFormView) {
	s.render(w, r, status, "solicitation_form", page{Title: "新建征求意见", Nav: "surveys", Me: me, Data: v})
}

func solicitationNew(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	f := solicitationForm{ClosesAt: s.d.Now().In(s.d.Loc).AddDate(0, 0, 30).Format("2006-01-02") + "T18:00"}
	s.renderSolicitationForm(w, r, me, http.StatusOK, solicitationFormView{Form: f})
	return nil
}

// solicitationCreate stores the solicitation; core announces it to every
// deputy in office when it opens. A pasted draft is split into articles
// and shown for confirmation first.
func solicitationCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	f := parseSolicitationForm(r.PostForm)
	sol, pre := f.solicitation(s.d.Loc)
	var err error = pre
	d, preview, confirmed, derr := readDraft(f.Draft, f.Confirm)
	if derr != nil {
		pre = append(pre, fieldErrorsIn(derr)...)
		err = pre
	}
	sol.Draft = d.Articles
	if len(pre) == 0 && !confirmed {
		// The split is shown before anything is stored.
		s.renderSolicitationForm(w, r, me, http.StatusOK, solicitationFormView{Form: f, Preview: preview})
		return nil
	}
	if len(pre) == 0 {
		err = s.opinions().CreateSolicitation(r.Context(), &sol)
	}
	if fe, ok := formErrors(err, solicitationKeys); ok {
		s.renderSolicitationForm(w, r, me, http.StatusUnprocessableEntity, solicitationFormView{Form: f, Errors: fe, Preview: preview})
		return nil
	} else if err != nil {
		return err
	}
	detail := fmt.Sprintf("新建征求意见《%s》，截止 %s", sol.Title, s.fmtTime(sol.ClosesAt))
	if len(sol.Draft) > 0 {
		detail += fmt.Sprintf("，草案全文 %d 条", len(sol.Draft))
	}
	s.audit(r, me, "solicitation.create", fmt.Sprintf("solicitation/%d", sol.ID), detail)
	s.flash(r, "已新建征求意见，开始时将推送给全体在任代表。")
	http.Redirect(w, r, fmt.Sprintf("/admin/solicitations/%d", sol.ID), http.StatusSeeOther)
	return nil
}

// fieldErrorsIn returns the field errors of a validation error (none for
// another error).
func fieldErrorsIn(err error) core.ValidationError {
	var v core.ValidationError
	if errors.As(err, &v) {
		return v
	}
	return core.ValidationError{{Label: "草案全文", Msg: err.Error()}}
}

// articleGroup is the opinions on one article of a draft.
type articleGroup struct {
	Article  string   // 第十二条, or 总体意见（未注明条款）
	Text     []string // the article's text, when stored
	Opinions []articleOpinion
}

// articleOpinion is an opinion in its article's group; Sub is the
// paragraph it names (第二款), if any.
type articleOpinion struct {
	opinionRow
	Sub string
}

type solicitationView struct {
	S         model.Solicitation
	State     string
	Summary   []string
	Groups    []articleGroup
	Total     int
	Commented int                       // articles with at least one opinion
	Adopted   map[int64]*model.Adoption // by opinion id (console_adopt.go)
	CanMark   bool                      // may mark opinions adopted
	CanEdit   bool                      // may export and replace the draft's text
}

func solicitationShow(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
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
	v := solicitationView{S: sol, State: windowState(s.d.Now(), sol.OpensAt, sol.ClosesAt), Summary: textLines(sol.Summary),
		Groups: groupByArticle(list, articles), Total: len(list), CanMark: slices.Contains(editors, me.Role),
		CanEdit: slices.Contains(editors, me.Role)}
	for _, g := range v.Groups {
		if g.Article != wholeDraftGroup {
			v.Commented++
		}
	}
	if v.Adopted, err = s.adoptionsOf(r.Context(), list); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "solicitation", page{Title: sol.Title, Nav: "surveys", Me: me, Data: v})
	return nil
}

// wholeDraftGroup names the opinions on the draft as a whole.
const wholeDraftGroup = "总体意见（未注明条款）"

// groupByArticle groups opinions by the article they are on, in the
// draft's order (第二条 before 第十条, whether typed 第2条 or 第二条), the
// opinions on the draft as a whole first, references it cannot read last;
// within a group the oldest first. A group shows its article's text when
// the draft's text is stored.
func groupByArticle(list []model.Opinion, articles []model.SolicitationArticle) []articleGroup {
	texts := make(map[int]string, len(articles))
	for _, a := range articles {
		texts[a.Number] = a.Body
	}
	idx := map[string]int{}
	var groups []articleGroup
	var keys []int
	for i := len(list) - 1; i >= 0; i-- { // the list is newest first
		o := list[i]
		name, key, sub := wholeDraftGroup, -1, ""
		if o.Article != "" {
			name, key = core.NormalizeArticle(o.Article), 1<<30
			if n := core.ArticleNumber(o.Article); n > 0 {
				name, key = core.ArticleHeading(n), n
				sub = strings.TrimPrefix(core.NormalizeArticle(o.Article), name)
			}
		}
		j, ok := idx[name]
		if !ok {
			j = len(groups)
			idx[name] = j
			g := articleGroup{Article: name}
			if t, ok := texts[key]; ok {
				g.Text = textLines(t)
			}
			groups = append(groups, g)
			keys = append(keys, key)
		}
		groups[j].Opinions = append(groups[j].Opinions, articleOpinion{opinionRowOf(o), sub})
	}
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if keys[a] != keys[b] {
			return keys[a] - keys[b]
		}
		return strings.Compare(groups[a].Article, groups[b].Article)
	})
	out := make([]articleGroup, len(groups))
	for i, j := range order {
		out[i] = groups[j]
	}
	return out
}
