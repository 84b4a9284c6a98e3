package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/meetings/{id}/sitin", editors, sitInForm)
	consoleRoute(http.MethodPost, "/admin/meetings/{id}/sitin", editors, sitInInvite)
}

// sitInDefaultN is the number of invitees the form starts with.
const sitInDefaultN = 20

// sitInQuery is the proposal form: how many, on which topics, since when.
type sitInQuery struct {
	N      string
	Topics string
	Term   string // YYYY-MM-DD, the term's first day
}

// sitInRow is one proposed deputy, numbered from 1.
type sitInRow struct {
	No int
	core.Proposal
}

func sitInRows(ps []core.Proposal) []sitInRow {
	out := make([]sitInRow, len(ps))
	for i, p := range ps {
		out[i] = sitInRow{No: i + 1, Proposal: p}
	}
	return out
}

// sitInView is the 列席 proposal page.
type sitInView struct {
	Meeting   model.Meeting
	KindLabel string
	Form      sitInQuery
	Errors    fieldErrors
	Proposed  bool
	Proposals []sitInRow
	Checked   map[int64]bool
}

func (s *server) sitInService() *core.SitIn {
	svc := core.NewSitIn(s.d.DB)
	svc.Loc = s.d.Loc
	return svc
}

// sitInTerm parses the term's first day, or gives the default.
func (s *server) sitInTerm(text string, at time.Time) (time.Time, bool) {
	if strings.TrimSpace(text) == "" {
		return core.TermStartOf(at, s.d.Loc), true
	}
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(text), s.d.Loc)
	return t, err == nil
}

// propose reads q and runs the proposal; form errors come back as fields.
func (s *server) sitInPropose(ctx context.Context, m model.Meeting, q sitInQuery) ([]core.Proposal, fieldErrors, error) {
	errs := fieldErrors{}
	if m.Kind != "session" {
		errs["general"] = "只有“" + core.MeetingKindLabel("session") + "”可以按列席规则推荐人选。"
		return nil, errs, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(q.N))
	if err != nil || n < 1 || n > core.SitInMaxN {
		errs["n"] = fmt.Sprintf("人数应为 1 到 %d 的整数", core.SitInMaxN)
	}
	term, ok := s.sitInTerm(q.Term, m.StartsAt)
	if !ok {
		errs["term"] = "日期格式应为 2023-01-01"
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	ps, err := s.sitInService().Propose(ctx, core.SitInRequest{MeetingID: m.ID, N: n,
		Topics: core.SplitSitInTopics(q.Topics), TermStart: term})
	if ferrs, ok := fieldErrorsOf(err); ok {
		return nil, ferrs, nil
	}
	return ps, nil, err
}

func sitInQueryOf(v url.Values) sitInQuery {
	return sitInQuery{N: v.Get("n"), Topics: v.Get("topics"), Term: v.Get("term")}
}

func (s *server) renderSitIn(w http.ResponseWriter, r *http.Request, me model.Account, status int, v sitInView) {
	v.KindLabel = core.MeetingKindLabel(v.Meeting.Kind)
	if v.Form.N == "" {
		v.Form.N = strconv.Itoa(sitInDefaultN)
	}
	if v.Form.Term == "" {
		v.Form.Term = core.TermStartOf(v.Meeting.StartsAt, s.d.Loc).Format(time.DateOnly)
	}
	s.render(w, r, status, "sitin", page{Title: "推荐列席代表", Nav: "meetings", Me: me, Data: v})
}

// sitInForm shows the form and, once asked (n given), the proposal with
// every proposed deputy checked.
func sitInForm(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	m, err := s.meetingOfPath(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := sitInView{Meeting: m, Form: sitInQueryOf(q)}
	if !q.Has("n") {
		if m.Kind != "session" {
			v.Errors = fieldErrors{"general": "只有“" + core.MeetingKindLabel("session") + "”可以按列席规则推荐人选。"}
		}
		s.renderSitIn(w, r, me, http.StatusOK, v)
		return nil
	}
	ps, errs, err := s.sitInPropose(ctx, m, v.Form)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		v.Errors = errs
		s.renderSitIn(w, r, me, http.StatusUnprocessableEntity, v)
		return nil
	}
	v.Proposed, v.Proposals, v.Checked = true, sitInRows(ps), map[int64]bool{}
	for _, p := range ps {
		v.Checked[p.Deputy.ID] = true
	}
	s.renderSitIn(w, r, me, http.StatusOK, v)
	return nil
}

// sitInInvite invites the checked deputies. Only deputies in office and
// not yet invited may be checked; anything else shows the proposal again
// with the message and invites no one.
func sitInInvite(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	m, err := s.meetingOfPath(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	v := sitInView{Meeting: m, Form: sitInQueryOf(r.PostForm), Checked: map[int64]bool{}}
	ids, bad := sitInCheckedIDs(r.PostForm["deputy_id"])
	for _, id := range ids {
		v.Checked[id] = true
	}
	fail := func(msg string) error {
		// Show the same proposal again so staff can correct the choice.
		ps, errs, err := s.sitInPropose(ctx, m, v.Form)
		if err != nil {
			return err
		}
		v.Errors = fieldErrors{"general": msg}
		for k, e := range errs {
			if k != "general" {
				v.Errors[k] = e
			}
		}
		v.Proposed, v.Proposals = len(errs) == 0, sitInRows(ps)
		s.renderSitIn(w, r, me, http.StatusUnprocessableEntity, v)
		return nil
	}
	switch {
	case m.Kind != "session":
		return fail("只有“" + core.MeetingKindLabel("session") + "”可以按列席规则推荐人选。")
	case bad:
		return fail("所选代表编号有误，请重新勾选。")
	case len(ids) == 0:
		return fail("请至少勾选一位代表。")
	case len(ids) > core.SitInMaxN:
		return fail(fmt.Sprintf("一次最多邀请 %d 位代表。", core.SitInMaxN))
	}
	cands, err := s.d.DB.SitInCandidates(ctx, m.ID)
	if err != nil {
		return err
	}
	open := make(map[int64]bool, len(cands))
	for _, d := range cands {
		open[d.ID] = true
	}
	var gone int
	for _, id := range ids {
		if !open[id] {
			gone++
		}
	}
	if gone > 0 {
		return fail(fmt.Sprintf("所选代表中有 %d 位已不在任或已被邀请，请按最新推荐重新勾选。", gone))
	}
	invited, err := s.meetingService().Invite(ctx, m.ID, ids)
	if err != nil {
		return err
	}
	topics := strings.Join(core.SplitSitInTopics(v.Form.Topics), "、")
	if topics == "" {
		topics = "未指定"
	}
	s.audit(r, me, "meeting.sitin", meetingObject(m.ID), fmt.Sprintf("按列席推荐邀请代表列席“%s”：勾选 %d 位，新邀请 %d 位（议题：%s）",
		m.Title, len(ids), invited, topics))
	s.flash(r, fmt.Sprintf("已邀请 %d 位代表列席，邀请通知已进入发送队列。", invited))
	http.Redirect(w, r, fmt.Sprintf("/admin/meetings/%d", m.ID), http.StatusSeeOther)
	return nil
}

// sitInCheckedIDs parses the checked deputy ids, once each; bad reports
// any value that is not an id.
func sitInCheckedIDs(values []string) (ids []int64, bad bool) {
	seen := map[int64]bool{}
	for _, v := range values {
		id, err := parseID(strings.TrimSpace(v))
		if err != nil {
			return nil, true
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, false
}
