package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// 双联系: committee members linked to deputies, their contacts and digest.
func init() {
	consoleRoute(http.MethodGet, "/admin/liaison", editors, liaisonList)
	consoleRoute(http.MethodPost, "/admin/liaison", editors, liaisonCreate)
	consoleRoute(http.MethodGet, "/admin/liaison/{id}", editors, liaisonShow)
	consoleRoute(http.MethodPost, "/admin/liaison/{id}/links", editors, liaisonLink)
	consoleRoute(http.MethodPost, "/admin/liaison/{id}/contacts", editors, liaisonContact)
}

func (s *server) liaison() *core.Liaison {
	l := core.NewLiaison(s.d.DB)
	l.SetClock(s.d.Now)
	return l
}

type liaisonMemberRow struct {
	model.CommitteeMember
	Warning string
}

type liaisonListView struct {
	Rows  []liaisonMemberRow
	Form  model.CommitteeMember
	Error string
}

func liaisonList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.renderLiaisonList(w, r, me, http.StatusOK, model.CommitteeMember{}, "")
}

func (s *server) renderLiaisonList(w http.ResponseWriter, r *http.Request, me model.Account, status int,
	form model.CommitteeMember, msg string) error {
	ms, err := s.liaison().Members(r.Context())
	if err != nil {
		return err
	}
	v := liaisonListView{Form: form, Error: msg}
	for _, m := range ms {
		v.Rows = append(v.Rows, liaisonMemberRow{CommitteeMember: m, Warning: core.LinkWarning(m.Deputies)})
	}
	s.render(w, r, status, "liaison", page{Title: "双联系", Nav: "liaison", Me: me, Data: v})
	return nil
}

// liaisonCreate adds a committee member.
func liaisonCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	m := model.CommitteeMember{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), Title: r.PostFormValue("title")}
	err := s.liaison().CreateMember(r.Context(), &m)
	if msg, ok := validationText(err); ok {
		return s.renderLiaisonList(w, r, me, http.StatusUnprocessableEntity, m, msg)
	} else if err != nil {
		return err
	}
	s.audit(r, me, "liaison.member.create", fmt.Sprintf("member/%d", m.ID), "新增双联系委员 "+m.Name)
	s.flash(r, "已新增委员 "+m.Name+"，请为其关联 5–7 名代表。")
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/%d", m.ID), http.StatusSeeOther)
	return nil
}

// validationText joins a validation error's messages for a form's alert.
func validationText(err error) (string, bool) {
	var ve core.ValidationError
	var fe *core.FieldError
	switch {
	case errors.As(err, &ve):
		parts := make([]string, len(ve))
		for i, e := range ve {
			parts[i] = e.Error()
		}
		return strings.Join(parts, "；"), true
	case errors.As(err, &fe):
		return fe.Error(), true
	}
	return "", false
}

type liaisonContactRow struct {
	model.MemberContact
	Day string
}

type liaisonView struct {
	Digest   core.Digest
	Since    string
	Names    string // the link form: linked deputies' names, one a line
	Contacts []liaisonContactRow
	Kinds    []string
	Today    string
	Error    string
	// The member's WeChat: how they are reached, and a code just issued.
	Binding     string
	Code        string
	CodeExpires string
	CodeLive    bool // an unexpired code exists (not shown again)
}

func liaisonShow(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.renderLiaison(w, r, me, http.StatusOK, "", "")
}

func (s *server) renderLiaison(w http.ResponseWriter, r *http.Request, me model.Account, status int, names, msg string) error {
	return s.renderLiaisonWith(w, r, me, status, func(v *liaisonView) {
		v.Error = msg
		if names != "" {
			v.Names = names
		}
	})
}

// renderLiaisonWith renders the member page; edit sets what the action adds.
func (s *server) renderLiaisonWith(w http.ResponseWriter, r *http.Request, me model.Account, status int, edit func(v *liaisonView)) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	svc := s.liaison()
	d, err := svc.Digest(r.Context(), id)
	if err != nil {
		return err
	}
	cs, err := svc.Contacts(r.Context(), id)
	if err != nil {
		return err
	}
	v := liaisonView{Digest: d, Since: d.Since.In(s.d.Loc).Format("2006-01-02"), Kinds: core.ContactKinds,
		Today: s.d.Now().In(s.d.Loc).Format("2006-01-02"), Binding: core.BindingState(d.Member)}
	lines := make([]string, len(d.Rows))
	for i, row := range d.Rows {
		lines[i] = row.Name
	}
	v.Names = strings.Join(lines, "\n")
	code, _, err := svc.MemberBindCode(r.Context(), id)
	if err != nil {
		return err
	}
	v.CodeLive = code != ""
	edit(&v)
	for _, c := range cs {
		v.Contacts = append(v.Contacts, liaisonContactRow{MemberContact: c, Day: c.OnDate.Format("2006-01-02")})
	}
	s.render(w, r, status, "liaison_member", page{Title: "双联系 · " + d.Member.Name, Nav: "liaison", Me: me, Data: v})
	return nil
}

// liaisonLink replaces the member's deputies, given by name (or id), one a
// line or separated by 、 or commas. A number outside 5–7 is saved and flagged.
func liaisonLink(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	m, err := s.liaison().Member(r.Context(), id)
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	names := r.PostFormValue("deputies")
	ids, problems, err := s.resolveDeputies(r, names)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return s.renderLiaison(w, r, me, http.StatusUnprocessableEntity, names, strings.Join(problems, "；"))
	}
	warning, err := s.liaison().Link(r.Context(), id, ids)
	if err != nil {
		return err
	}
	s.audit(r, me, "liaison.link", fmt.Sprintf("member/%d", id), fmt.Sprintf("委员 %s 联系代表 %d 名", m.Name, len(ids)))
	msg := fmt.Sprintf("已保存：委员 %s 联系代表 %d 名。", m.Name, len(ids))
	if warning != "" {
		msg += "注意：" + warning + "。"
	}
	s.flash(r, msg)
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/%d", id), http.StatusSeeOther)
	return nil
}

// resolveDeputies reads deputies by name or id; a name matching no deputy
// or several is a problem to show.
func (s *server) resolveDeputies(r *http.Request, text string) ([]int64, []string, error) {
	fields := strings.FieldsFunc(text, func(c rune) bool {
		return c == '\n' || c == '\r' || c == '、' || c == ',' || c == '，' || c == ';' || c == '；'
	})
	var ids []int64
	var problems []string
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			if _, err := s.d.DB.GetDeputy(r.Context(), n); errors.Is(err, model.ErrNotFound) {
				problems = append(problems, "没有编号为 "+f+" 的代表")
				continue
			} else if err != nil {
				return nil, nil, err
			}
			ids = append(ids, n)
			continue
		}
		ds, err := s.d.DB.FindDeputiesByName(r.Context(), f)
		if err != nil {
			return nil, nil, err
		}
		switch len(ds) {
		case 0:
			problems = append(problems, "没有名为“"+f+"”的代表")
		case 1:
			ids = append(ids, ds[0].ID)
		default:
			problems = append(problems, fmt.Sprintf("名为“%s”的代表有 %d 名，请改填编号", f, len(ds)))
		}
	}
	return ids, problems, nil
}

// liaisonContact logs a contact between the member and a linked deputy.
func liaisonContact(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	m, err := s.liaison().Member(r.Context(), id)
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	deputyID, _ := strconv.ParseInt(r.PostFormValue("deputy_id"), 10, 64)
	c := model.MemberContact{MemberID: id, DeputyID: deputyID, Kind: r.PostFormValue("kind"), Note: r.PostFormValue("note")}
	if day := strings.TrimSpace(r.PostFormValue("on_date")); day != "" {
		t, err := time.Parse("2006-01-02", day)
		if err != nil {
			return s.renderLiaison(w, r, me, http.StatusUnprocessableEntity, "", "日期格式应为 2026-03-01")
		}
		c.OnDate = t
	}
	err = s.liaison().LogContact(r.Context(), &c)
	if msg, ok := validationText(err); ok {
		return s.renderLiaison(w, r, me, http.StatusUnprocessableEntity, "", msg)
	} else if err != nil {
		return err
	}
	s.audit(r, me, "liaison.contact", fmt.Sprintf("member/%d", id), fmt.Sprintf("委员 %s 联系代表（%s，%s）", m.Name, c.Kind,
		c.OnDate.Format("2006-01-02")))
	s.flash(r, "已记录联系。")
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/%d", id), http.StatusSeeOther)
	return nil
}
