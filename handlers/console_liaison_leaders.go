package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// 双联系, second part: provincial leaders and their electoral units, a
// member's WeChat binding, and the Excel export of members.
func init() {
	consoleRoute(http.MethodGet, "/admin/liaison/leaders", editors, leadersList)
	consoleRoute(http.MethodPost, "/admin/liaison/leaders", editors, leaderCreate)
	consoleRoute(http.MethodGet, "/admin/liaison/leaders/{id}", editors, leaderShow)
	consoleRoute(http.MethodPost, "/admin/liaison/leaders/{id}/activities", editors, leaderActivity)
	consoleRoute(http.MethodPost, "/admin/liaison/{id}/bind-code", editors, liaisonBindCode)
	consoleRoute(http.MethodPost, "/admin/liaison/{id}/deputy", editors, liaisonMemberDeputy)
	consoleRoute(http.MethodGet, "/admin/liaison/export", editors, liaisonExport)
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

func leadersList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.renderLeaders(w, r, me, http.StatusOK, leadersView{})
}

func (s *server) renderLeaders(w http.ResponseWriter, r *http.Request, me model.Account, status int, v leadersView) error {
	year := 0
	if y := strings.TrimSpace(r.URL.Query().Get("year")); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return badRequest("年度应为四位数字，如 2026")
		}
		year = n
	}
	req, err := s.liaison().Requirement(r.Context(), year)
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
	s.render(w, r, status, "liaison_leaders", page{Title: "省领导联系选举单位", Nav: "liaison", Me: me, Data: v})
	return nil
}

// leaderCreate adds a leader: a deputy (by name or id) and their electoral
// unit, the deputy's delegation unless another is named.
func leaderCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	var v leadersView
	v.Form.Deputy, v.Form.Unit, v.Form.Title = r.PostFormValue("deputy"), r.PostFormValue("unit"), r.PostFormValue("title")
	ids, problems, err := s.resolveDeputies(r, v.Form.Deputy)
	if err != nil {
		return err
	}
	if len(problems) == 0 && len(ids) != 1 {
		problems = append(problems, "请填写一名代表的姓名或编号")
	}
	if len(problems) > 0 {
		v.Error = strings.Join(problems, "；")
		return s.renderLeaders(w, r, me, http.StatusUnprocessableEntity, v)
	}
	l, err := s.liaison().CreateLeader(r.Context(), ids[0], v.Form.Unit, v.Form.Title)
	if msg, ok := validationText(err); ok {
		v.Error = msg
		return s.renderLeaders(w, r, me, http.StatusUnprocessableEntity, v)
	} else if err != nil {
		return err
	}
	s.audit(r, me, "liaison.leader.create", fmt.Sprintf("leader/%d", l.ID), fmt.Sprintf("新增联系选举单位的省领导 %s（%s）",
		l.DeputyName, l.Unit))
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

func leaderShow(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.renderLeader(w, r, me, http.StatusOK, "")
}

func (s *server) renderLeader(w http.ResponseWriter, r *http.Request, me model.Account, status int, msg string) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	svc := s.liaison()
	l, err := svc.Leader(r.Context(), id)
	if err != nil {
		return err
	}
	as, err := svc.Activities(r.Context(), id)
	if err != nil {
		return err
	}
	v := leaderView{Leader: l, Year: svc.ThisYear(), Kinds: core.ActivityKinds, Error: msg,
		Today: s.d.Now().In(s.d.Loc).Format(time.DateOnly)}
	if l.Activities == 0 {
		v.Flag = core.LeaderNotYet
	}
	for _, a := range as {
		v.Activities = append(v.Activities, leaderActivityRow{LeaderActivity: a, Day: a.OnDate.Format(time.DateOnly)})
	}
	s.render(w, r, status, "liaison_leader", page{Title: "省领导 · " + l.DeputyName, Nav: "liaison", Me: me, Data: v})
	return nil
}

// leaderActivity logs an activity of the leader in their unit.
func leaderActivity(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	l, err := s.liaison().Leader(r.Context(), id)
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	a := model.LeaderActivity{LeaderID: id, Kind: r.PostFormValue("kind"), Note: r.PostFormValue("note"), CreatedBy: me.DisplayName()}
	if day := strings.TrimSpace(r.PostFormValue("on_date")); day != "" {
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return s.renderLeader(w, r, me, http.StatusUnprocessableEntity, "日期格式应为 2026-03-01")
		}
		a.OnDate = t
	}
	err = s.liaison().LogActivity(r.Context(), &a)
	if msg, ok := validationText(err); ok {
		return s.renderLeader(w, r, me, http.StatusUnprocessableEntity, msg)
	} else if err != nil {
		return err
	}
	s.audit(r, me, "liaison.leader.activity", fmt.Sprintf("leader/%d", id), fmt.Sprintf("省领导 %s 在%s参加%s活动（%s）",
		l.DeputyName, l.Unit, a.Kind, a.OnDate.Format(time.DateOnly)))
	s.flash(r, "已登记活动。")
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/leaders/%d", id), http.StatusSeeOther)
	return nil
}

// liaisonBindCode shows a fresh member binding code, the one time it is shown.
func liaisonBindCode(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	_, code, expires, err := s.issueMemberCode(r, me)
	if msg, ok := validationText(err); ok {
		return s.renderLiaisonWith(w, r, me, http.StatusUnprocessableEntity, func(v *liaisonView) { v.Error = msg })
	} else if err != nil {
		return err
	}
	return s.renderLiaisonWith(w, r, me, http.StatusOK, func(v *liaisonView) {
		v.Code, v.CodeExpires = code, s.fmtTime(expires)
	})
}

// liaisonMemberDeputy records the deputy record (by name or id) the member
// holds; an empty field clears it.
func liaisonMemberDeputy(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
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
	var deputyID int64
	if text := strings.TrimSpace(r.PostFormValue("deputy")); text != "" {
		ids, problems, err := s.resolveDeputies(r, text)
		if err != nil {
			return err
		}
		if len(problems) == 0 && len(ids) != 1 {
			problems = append(problems, "请只填写一名代表")
		}
		if len(problems) > 0 {
			msg := strings.Join(problems, "；")
			return s.renderLiaisonWith(w, r, me, http.StatusUnprocessableEntity, func(v *liaisonView) { v.Error = msg })
		}
		deputyID = ids[0]
	}
	err = s.liaison().SetMemberDeputy(r.Context(), id, deputyID)
	if msg, ok := validationText(err); ok {
		return s.renderLiaisonWith(w, r, me, http.StatusUnprocessableEntity, func(v *liaisonView) { v.Error = msg })
	} else if err != nil {
		return err
	}
	s.audit(r, me, "liaison.member.deputy", fmt.Sprintf("member/%d", id), fmt.Sprintf("委员 %s 的代表身份设为 %d", m.Name, deputyID))
	if deputyID > 0 {
		s.flash(r, "已保存：该委员通过代表身份使用服务号。")
	} else {
		s.flash(r, "已保存：该委员不是代表。")
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/liaison/%d", id), http.StatusSeeOther)
	return nil
}

// liaisonExport is the members with their counts, for staff who keep the
// work in Excel: linked deputies, the warning, contacts this year, who is
// not yet contacted, and the week's digest figures.
func liaisonExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	svc := s.liaison()
	ms, err := svc.Members(r.Context())
	if err != nil {
		return err
	}
	header := []string{"编号", "委员", "职务", "电话", "联系代表数", "提醒", "联系的代表", "今年已联系代表数", "今年尚未联系",
		"待回复邀请", "未评价答复", "近7天新意见", "近7天新建议", "微信"}
	rows := make([][]string, 0, len(ms))
	for _, m := range ms {
		d, err := svc.Digest(r.Context(), m.ID)
		if err != nil {
			return err
		}
		names := make([]string, len(d.Rows))
		for i, row := range d.Rows {
			names[i] = row.Name
		}
		rows = append(rows, []string{strconv.FormatInt(m.ID, 10), m.Name, m.Title, m.Phone, strconv.Itoa(len(d.Rows)), d.Warning,
			strings.Join(names, "、"), strconv.Itoa(len(d.Rows) - len(d.NotThisYear)), strings.Join(d.NotThisYear, "、"),
			strconv.Itoa(d.OpenRSVPs), strconv.Itoa(d.UnratedReplies), strconv.Itoa(d.NewOpinions), strconv.Itoa(d.NewSuggestions),
			core.BindingState(m)})
	}
	return s.sendListExport(w, r, me, "双联系委员", "liaison.export", "liaison", header, rows)
}
