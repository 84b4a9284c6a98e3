package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// 双联系: committee members linked to deputies, their contacts, digest and
// WeChat binding; provincial leaders and their activities in their
// electoral unit; the Excel export of members.

type liaisonMemberRow struct {
	model.CommitteeMember
	Warning string
}

type liaisonListView struct {
	Rows  []liaisonMemberRow
	Form  model.CommitteeMember
	Error string
}

func liaisonList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderLiaisonList(w, r, by, http.StatusOK, model.CommitteeMember{}, "")
}

func (s *server) renderLiaisonList(w http.ResponseWriter, r *http.Request, by core.Actor, status int, form model.CommitteeMember, msg string) error {
	ms, err := s.core.Liaison.MembersAs(r.Context(), by)
	if err != nil {
		return err
	}
	v := liaisonListView{Form: form, Error: msg}
	for _, m := range ms {
		v.Rows = append(v.Rows, liaisonMemberRow{CommitteeMember: m, Warning: core.LinkWarning(m.Deputies)})
	}
	s.render(w, r, status, "liaison", page{Title: "双联系", Nav: "liaison", Me: by.Account, Data: v})
	return nil
}

// validationText joins a validation error's messages for a form's alert.
func validationText(err error) (string, bool) {
	verr, ok := core.Fields(err)
	if !ok {
		return "", false
	}
	return verr.Error(), true
}

// liaisonCreate adds a committee member.
func liaisonCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	form := model.CommitteeMember{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), Title: r.PostFormValue("title")}
	m, err := s.core.Liaison.CreateMemberAs(r.Context(), by, form, 0)
	if msg, ok := validationText(err); ok {
		return s.renderLiaisonList(w, r, by, http.StatusUnprocessableEntity, form, msg)
	} else if err != nil {
		return err
	}
	s.flash(r, "已新增委员 "+m.Name+"，请为其关联 5–7 名代表。")
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/%d", m.ID), http.StatusSeeOther)
	return nil
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

func liaisonShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderLiaison(w, r, by, http.StatusOK, func(*liaisonView) {})
}

// renderLiaison renders the member page; edit sets what the action adds.
func (s *server) renderLiaison(w http.ResponseWriter, r *http.Request, by core.Actor, status int, edit func(v *liaisonView)) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	p, err := s.core.Liaison.MemberPageAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	d := p.Digest
	loc := s.core.Location()
	v := liaisonView{Digest: d, Since: d.Since.In(loc).Format(time.DateOnly), Kinds: core.ContactKinds,
		Today: s.core.Now().In(loc).Format(time.DateOnly), Binding: core.BindingState(d.Member), CodeLive: p.CodeLive}
	lines := make([]string, len(d.Rows))
	for i, row := range d.Rows {
		lines[i] = row.Name
	}
	v.Names = strings.Join(lines, "\n")
	edit(&v)
	for _, c := range p.Contacts {
		v.Contacts = append(v.Contacts, liaisonContactRow{MemberContact: c, Day: c.OnDate.Format(time.DateOnly)})
	}
	s.render(w, r, status, "liaison_member", page{Title: "双联系 · " + d.Member.Name, Nav: "liaison", Me: by.Account, Data: v})
	return nil
}

// liaisonProblem shows the member page again with msg, and what was typed
// in the link form when names is not "".
func (s *server) liaisonProblem(w http.ResponseWriter, r *http.Request, by core.Actor, names, msg string) error {
	return s.renderLiaison(w, r, by, http.StatusUnprocessableEntity, func(v *liaisonView) {
		v.Error = msg
		if names != "" {
			v.Names = names
		}
	})
}

// liaisonLink replaces the member's deputies, given by name (or id), one a
// line or separated by 、 or commas. A number outside 5–7 is saved and flagged.
func liaisonLink(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	names := r.PostFormValue("deputies")
	ids, problems, err := s.core.Liaison.ResolveDeputies(r.Context(), by, names)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return s.liaisonProblem(w, r, by, names, strings.Join(problems, "；"))
	}
	linked, warning, err := s.core.Liaison.LinkAs(r.Context(), by, id, ids)
	if msg, ok := validationText(err); ok {
		return s.liaisonProblem(w, r, by, names, msg)
	} else if err != nil {
		return err
	}
	m, err := s.core.Liaison.MemberAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("已保存：委员 %s 联系代表 %d 名。", m.Name, len(linked))
	if warning != "" {
		msg += "注意：" + warning + "。"
	}
	s.flash(r, msg)
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/%d", id), http.StatusSeeOther)
	return nil
}

// liaisonContact logs a contact between the member and a linked deputy.
func liaisonContact(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	deputyID, _ := strconv.ParseInt(r.PostFormValue("deputy_id"), 10, 64)
	c := model.MemberContact{MemberID: id, DeputyID: deputyID, Kind: r.PostFormValue("kind"), Note: r.PostFormValue("note")}
	if day := strings.TrimSpace(r.PostFormValue("on_date")); day != "" {
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return s.liaisonProblem(w, r, by, "", "日期格式应为 2026-03-01")
		}
		c.OnDate = t
	}
	_, err = s.core.Liaison.LogContactAs(r.Context(), by, c)
	if msg, ok := validationText(err); ok {
		return s.liaisonProblem(w, r, by, "", msg)
	} else if err != nil {
		return err
	}
	s.flash(r, "已记录联系。")
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/%d", id), http.StatusSeeOther)
	return nil
}

// liaisonBindCode shows a fresh member binding code, the one time it is shown.
func liaisonBindCode(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	_, code, expires, err := s.core.Liaison.IssueMemberBindCodeAs(r.Context(), by, id)
	if msg, ok := validationText(err); ok {
		return s.liaisonProblem(w, r, by, "", msg)
	} else if err != nil {
		return err
	}
	return s.renderLiaison(w, r, by, http.StatusOK, func(v *liaisonView) {
		v.Code, v.CodeExpires = code, s.fmtTime(expires)
	})
}

// liaisonUnbind removes the WeChat binding the member made with a code.
func liaisonUnbind(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	m, err := s.core.Liaison.UnbindMemberAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	s.flash(r, "已解除委员 "+m.Name+" 的微信绑定。如需重新绑定，请生成新的绑定码。")
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/%d", id), http.StatusSeeOther)
	return nil
}

// liaisonMemberDeputy records the deputy record (by name or id) the member
// holds; an empty field clears it.
func liaisonMemberDeputy(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	var deputyID int64
	if text := strings.TrimSpace(r.PostFormValue("deputy")); text != "" {
		ids, problems, err := s.core.Liaison.ResolveDeputies(r.Context(), by, text)
		if err != nil {
			return err
		}
		if len(problems) == 0 && len(ids) != 1 {
			problems = append(problems, "请只填写一名代表")
		}
		if len(problems) > 0 {
			return s.liaisonProblem(w, r, by, "", strings.Join(problems, "；"))
		}
		deputyID = ids[0]
	}
	_, err = s.core.Liaison.SetMemberDeputyAs(r.Context(), by, id, deputyID)
	if msg, ok := validationText(err); ok {
		return s.liaisonProblem(w, r, by, "", msg)
	} else if err != nil {
		return err
	}
	if deputyID > 0 {
		s.flash(r, "已保存：该委员通过代表身份使用服务号。")
	} else {
		s.flash(r, "已保存：该委员不是代表。")
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/%d", id), http.StatusSeeOther)
	return nil
}

// liaisonExport downloads the members with their counts (Excel).
func liaisonExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Liaison.ExportMembersAs(r.Context(), by)
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}

type leaderRow struct {
	core.LeaderYear
	Last string
}

type leadersView struct {
	Req   core.Requirement
	Rows  []leaderRow
	Year  string
	Form  struct{ Deputy, Unit, Title string }
	Error string
}

func leadersList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderLeaders(w, r, by, http.StatusOK, leadersView{})
}

func (s *server) renderLeaders(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v leadersView) error {
	year := 0
	if y := strings.TrimSpace(r.URL.Query().Get("year")); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return badInput("年度应为四位数字，如 2026")
		}
		year = n
	}
	req, err := s.core.Liaison.RequirementAs(r.Context(), by, year)
	if err != nil {
		return err
	}
	v.Req, v.Year = req, strconv.Itoa(req.Year)
	for _, l := range req.Leaders {
		row := leaderRow{LeaderYear: l}
		if l.LastOn.Valid {
			row.Last = l.LastOn.Time.Format(time.DateOnly)
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, status, "liaison_leaders", page{Title: "省领导联系选举单位", Nav: "liaison", Me: by.Account, Data: v})
	return nil
}

// leaderCreate adds a leader: a deputy (by name or id) and their electoral
// unit, the deputy's delegation unless another is named.
func leaderCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	var v leadersView
	v.Form.Deputy, v.Form.Unit, v.Form.Title = r.PostFormValue("deputy"), r.PostFormValue("unit"), r.PostFormValue("title")
	ids, problems, err := s.core.Liaison.ResolveDeputies(r.Context(), by, v.Form.Deputy)
	if err != nil {
		return err
	}
	if len(problems) == 0 && len(ids) != 1 {
		problems = append(problems, "请填写一名代表的姓名或编号")
	}
	if len(problems) > 0 {
		v.Error = strings.Join(problems, "；")
		return s.renderLeaders(w, r, by, http.StatusUnprocessableEntity, v)
	}
	l, err := s.core.Liaison.CreateLeaderAs(r.Context(), by, ids[0], v.Form.Unit, v.Form.Title)
	if msg, ok := validationText(err); ok {
		v.Error = msg
		return s.renderLeaders(w, r, by, http.StatusUnprocessableEntity, v)
	} else if err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("已新增：%s 联系 %s。", l.DeputyName, l.Unit))
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/leaders/%d", l.ID), http.StatusSeeOther)
	return nil
}

type leaderActivityRow struct {
	model.LeaderActivity
	Day string
}

type leaderView struct {
	Leader     model.LiaisonLeader
	Year       int
	Activities []leaderActivityRow
	Kinds      []string
	Today      string
	Flag       string
	Error      string
}

func leaderShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderLeader(w, r, by, http.StatusOK, "")
}

func (s *server) renderLeader(w http.ResponseWriter, r *http.Request, by core.Actor, status int, msg string) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	l, as, err := s.core.Liaison.LeaderAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	v := leaderView{Leader: l, Year: s.core.Liaison.ThisYear(), Kinds: core.ActivityKinds, Error: msg,
		Today: s.core.Now().In(s.core.Location()).Format(time.DateOnly)}
	if l.Activities == 0 {
		v.Flag = core.LeaderNotYet
	}
	for _, a := range as {
		v.Activities = append(v.Activities, leaderActivityRow{LeaderActivity: a, Day: a.OnDate.Format(time.DateOnly)})
	}
	s.render(w, r, status, "liaison_leader", page{Title: "省领导 · " + l.DeputyName, Nav: "liaison", Me: by.Account, Data: v})
	return nil
}

// leaderActivity logs an activity of the leader in their unit.
func leaderActivity(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	a := model.LeaderActivity{LeaderID: id, Kind: r.PostFormValue("kind"), Note: r.PostFormValue("note")}
	if day := strings.TrimSpace(r.PostFormValue("on_date")); day != "" {
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return s.renderLeader(w, r, by, http.StatusUnprocessableEntity, "日期格式应为 2026-03-01")
		}
		a.OnDate = t
	}
	_, err = s.core.Liaison.LogActivityAs(r.Context(), by, a)
	if msg, ok := validationText(err); ok {
		return s.renderLeader(w, r, by, http.StatusUnprocessableEntity, msg)
	} else if err != nil {
		return err
	}
	s.flash(r, "已登记活动。")
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/leaders/%d", id), http.StatusSeeOther)
	return nil
}
