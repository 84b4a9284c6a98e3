package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// sitInDefaultN is the number of invitees the form starts with.
const sitInDefaultN = 20

// sitInQuery is the proposal form as typed: how many, on which topics,
// since when.
type sitInQuery struct {
	N      string
	Topics string
	Term   string // YYYY-MM-DD, the term's first day
}

func sitInQueryOf(v url.Values) sitInQuery {
	return sitInQuery{N: v.Get("n"), Topics: v.Get("topics"), Term: v.Get("term")}
}

func (q sitInQuery) request() core.SitInRequest {
	n, err := strconv.Atoi(strings.TrimSpace(q.N))
	if err != nil {
		n = 0 // core says what a number of invitees must be
	}
	return core.SitInRequest{N: n, Topics: []string{q.Topics}, Term: q.Term}
}

// sitInRow is one proposed deputy, numbered from 1.
type sitInRow struct {
	No int
	model.Proposal
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

func (s *server) renderSitIn(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v sitInView) {
	v.KindLabel = v.Meeting.KindLabel()
	if v.Form.N == "" {
		v.Form.N = strconv.Itoa(sitInDefaultN)
	}
	if v.Form.Term == "" {
		v.Form.Term = s.core.SitIn.TermStart(v.Meeting).Format(time.DateOnly)
	}
	s.render(w, r, status, "sitin", page{Title: "推荐列席代表", Nav: "meetings", Me: by.Account, Data: v})
}

// propose fills v with the proposal its form asks for, or with the form's
// problems; ok is false when there were problems.
func (s *server) propose(r *http.Request, by core.Actor, v *sitInView) (bool, error) {
	prop, err := s.core.SitIn.Propose(r.Context(), by, v.Meeting.ID, v.Form.request())
	if fe, ok := fieldErrorsOf(err); ok {
		v.Errors = fe
		return false, nil
	} else if err != nil {
		return false, err
	}
	v.Proposed, v.Proposals = true, make([]sitInRow, len(prop.Proposals))
	for i, p := range prop.Proposals {
		v.Proposals[i] = sitInRow{No: i + 1, Proposal: p}
	}
	return true, nil
}

// sitInForm shows the form and, once asked (n given), the proposal with
// every proposed deputy checked.
func sitInForm(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	m, err := s.meetingOfPath(r, by)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := sitInView{Meeting: m, Form: sitInQueryOf(q)}
	if !q.Has("n") {
		if fe, ok := fieldErrorsOf(core.NotASession(m)); ok {
			v.Errors = fe
		}
		s.renderSitIn(w, r, by, http.StatusOK, v)
		return nil
	}
	ok, err := s.propose(r, by, &v)
	if err != nil {
		return err
	}
	if !ok {
		s.renderSitIn(w, r, by, http.StatusUnprocessableEntity, v)
		return nil
	}
	v.Checked = map[int64]bool{}
	for _, p := range v.Proposals {
		v.Checked[p.Deputy.ID] = true
	}
	s.renderSitIn(w, r, by, http.StatusOK, v)
	return nil
}

// sitInInvite invites the checked deputies. Anything wrong shows the same
// proposal again with the message, and invites no one.
func sitInInvite(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	m, err := s.meetingOfPath(r, by)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	v := sitInView{Meeting: m, Form: sitInQueryOf(r.PostForm), Checked: map[int64]bool{}}
	ids, ok := parseIDs(r.PostForm["deputy_id"])
	if ok {
		for _, id := range ids {
			v.Checked[id] = true
		}
		var invited int
		if invited, err = s.core.SitIn.Invite(r.Context(), by, m.ID, ids, v.Form.Topics); err == nil {
			s.flash(r, fmt.Sprintf("已邀请 %d 位代表列席，邀请通知已进入发送队列。", invited))
			http.Redirect(w, r, fmt.Sprintf("/admin/meetings/%d", m.ID), http.StatusSeeOther)
			return nil
		}
	} else {
		err = &core.FieldError{Key: "deputy_id", Label: "邀请名单", Msg: "所选代表编号有误，请重新勾选。"}
	}
	refused, isField := fieldErrorsOf(err)
	if !isField {
		return err
	}
	// Show the same proposal again so staff can correct the choice.
	if _, err := s.propose(r, by, &v); err != nil {
		return err
	}
	if v.Errors == nil {
		v.Errors = fieldErrors{}
	}
	for k, msg := range refused {
		v.Errors[k] = msg
	}
	s.renderSitIn(w, r, by, http.StatusUnprocessableEntity, v)
	return nil
}
