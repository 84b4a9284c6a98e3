package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/solicitations", viewers, solicitationsList)
	consoleRoute(http.MethodGet, "/admin/solicitations/new", editors, solicitationNew)
	consoleRoute(http.MethodPost, "/admin/solicitations", editors, solicitationCreate)
	consoleRoute(http.MethodGet, "/admin/solicitations/{id}", viewers, solicitationShow)
}

type solicitationRow struct {
	core.Solicitation
	State string
}

type solicitationsView struct {
	Rows      []solicitationRow
	CanCreate bool
}

func solicitationsList(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
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
}

type solicitationFormView struct {
	Form   solicitationForm
	Errors fieldErrors
}

var solicitationKeys = mapKeys(map[string]string{"标题": "title", "说明": "summary", "草案链接": "link", "条数": "articles",
	"开始时间": "opens_at", "截止时间": "closes_at"})

func parseSolicitationForm(v url.Values) solicitationForm {
	return solicitationForm{Title: v.Get("title"), Summary: v.Get("summary"), Link: v.Get("link"),
		Articles: strings.TrimSpace(v.Get("articles")), OpensAt: strings.TrimSpace(v.Get("opens_at")),
		ClosesAt: strings.TrimSpace(v.Get("closes_at"))}
}

func (f solicitationForm) solicitation(loc *time.Location) (core.Solicitation, core.ValidationError) {
	sol := core.Solicitation{Title: f.Title, Summary: f.Summary, Link: f.Link}
	var errs core.ValidationError
	if f.Articles != "" {
		n, err := strconv.Atoi(f.Articles)
		if err != nil {
			errs = append(errs, &core.FieldError{Field: "条数", Value: f.Articles, Msg: "应为整数（不清楚可留空）"})
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
			errs = append(errs, &core.FieldError{Field: t.field, Value: t.v, Msg: "格式应为 2026-03-31 18:00"})
			continue
		}
		*t.dst = v
	}
	return sol, errs
}

func (s *server) renderSolicitationForm(w http.ResponseWriter, r *http.Request, me core.Account, status int, v solicitationFormView) {
	s.render(w, r, status, "solicitation_form", page{Title: "新建征求意见", Nav: "surveys", Me: me, Data: v})
}

func solicitationNew(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
	f := solicitationForm{ClosesAt: s.d.Now().In(s.d.Loc).AddDate(0, 0, 30).Format("2006-01-02") + "T18:00"}
	s.renderSolicitationForm(w, r, me, http.StatusOK, solicitationFormView{Form: f})
	return nil
}

// solicitationCreate stores the solicitation; core announces it to every
// deputy in office when it opens.
func solicitationCreate(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	f := parseSolicitationForm(r.PostForm)
	sol, pre := f.solicitation(s.d.Loc)
	var err error = pre
	if len(pre) == 0 {
		err = s.opinions().CreateSolicitation(r.Context(), &sol)
	}
	if fe, ok := formErrors(err, solicitationKeys); ok {
		s.renderSolicitationForm(w, r, me, http.StatusUnprocessableEntity, solicitationFormView{Form: f, Errors: fe})
		return nil
	} else if err != nil {
		return err
	}
	s.audit(r, me, "solicitation.create", fmt.Sprintf("solicitation/%d", sol.ID), fmt.Sprintf("新建征求意见《%s》，截止 %s",
		sol.Title, s.fmtTime(sol.ClosesAt)))
	s.flash(r, "已新建征求意见，开始时将推送给全体在任代表。")
	http.Redirect(w, r, fmt.Sprintf("/admin/solicitations/%d", sol.ID), http.StatusSeeOther)
	return nil
}

// articleGroup is the opinions on one article of a draft.
type articleGroup struct {
	Article  string
	Opinions []opinionRow
}

type solicitationView struct {
	S       core.Solicitation
	State   string
	Summary []string
	Groups  []articleGroup
	Total   int
	Adopted map[int64]*core.Adoption // by opinion id (console_adopt.go)
	CanMark bool                     // may mark opinions adopted
}

func solicitationShow(s *server, w http.ResponseWriter, r *http.Request, me core.Account) error {
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
	v := solicitationView{S: sol, State: windowState(s.d.Now(), sol.OpensAt, sol.ClosesAt), Summary: textLines(sol.Summary),
		Groups: groupByArticle(list), Total: len(list), CanMark: slices.Contains(editors, me.Role)}
	if v.Adopted, err = s.adoptionsOf(r.Context(), list); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "solicitation", page{Title: sol.Title, Nav: "surveys", Me: me, Data: v})
	return nil
}

// groupByArticle groups opinions by the article they are on, in the
// draft's order (第2条 before 第10条), opinions on the draft as a whole
// first; within a group the oldest first.
func groupByArticle(list []core.Opinion) []articleGroup {
	idx := map[string]int{}
	var groups []articleGroup
	for i := len(list) - 1; i >= 0; i-- { // the list is newest first
		o := list[i]
		name := orDefault(o.Article, "总体意见（未注明条款）")
		j, ok := idx[name]
		if !ok {
			j = len(groups)
			idx[name] = j
			groups = append(groups, articleGroup{Article: name})
		}
		groups[j].Opinions = append(groups[j].Opinions, opinionRowOf(o))
	}
	key := func(g articleGroup) int {
		if len(g.Opinions) > 0 && g.Opinions[0].Article == "" {
			return -1
		}
		return articleNumber(g.Article)
	}
	slices.SortStableFunc(groups, func(a, b articleGroup) int { return key(a) - key(b) })
	return groups
}

// articleNumber reads 第12条 or 第十二条; an article it cannot read sorts last.
func articleNumber(article string) int {
	s := strings.TrimSuffix(strings.TrimPrefix(article, "第"), "条")
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	if n, ok := chineseNumber(s); ok {
		return n
	}
	return 1 << 30
}

// chineseNumber reads a number below 10,000 written in Chinese (十二, 一百零五).
func chineseNumber(s string) (int, bool) {
	digits := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	units := map[rune]int{'十': 10, '百': 100, '千': 1000}
	total, cur := 0, -1
	for _, r := range s {
		if d, ok := digits[r]; ok {
			cur = d
			continue
		}
		u, ok := units[r]
		if !ok {
			return 0, false
		}
		if cur < 0 {
			cur = 1 // 十二: the leading 一 is left out
		}
		total, cur = total+cur*u, -1
	}
	if cur > 0 {
		total += cur
	}
	return total, s != ""
}
