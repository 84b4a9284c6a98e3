package console

import (
	"fmt"
	"net/http"
	"slices"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// opinionPageSize is the length of a page of the opinions list.
const opinionPageSize = 50

// opinionRow is one line of the opinions list.
type opinionRow struct {
	model.Opinion
	CategoryLabel, StatusLabel, Snippet string
	Assignee                            string // the assignee's name, "" when unassigned
}

type opinionsView struct {
	Query         httpkit.OpinionQuery
	Rows          []opinionRow
	Pager         pager
	Categories    []core.Choice
	Statuses      []core.Choice
	Solicitations []model.Solicitation
	ExportURL     string
}

var opinionStatusChoices = statusChoices(model.OpinionStatusLabel, model.OpinionStatuses...)

func opinionCategoryChoices() []core.Choice {
	return append(slices.Clone(core.OpinionCategoryChoices),
		core.Choice{Value: model.OpinionSolicitation, Label: core.OpinionCategoryLabel(model.OpinionSolicitation)})
}

// opinionsList is the opinions deputies sent, newest first, with filters
// by category, status, solicitation, author and assignee.
func opinionsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ctx := r.Context()
	q := httpkit.ParseOpinionQuery(r.URL.Query())
	list, total, err := s.core.Opinions.ListAs(ctx, by, q.Filter(by, opinionPageSize))
	if err != nil {
		return err
	}
	ids := make([]int64, len(list))
	for i, o := range list {
		ids[i] = o.ID
	}
	assigned, err := s.core.Opinions.AssignmentsAs(ctx, by, ids...)
	if err != nil {
		return err
	}
	v := opinionsView{Query: q, Categories: opinionCategoryChoices(), Statuses: opinionStatusChoices,
		Pager: newPager(total, q.Page, opinionPageSize, func(p int) string { return "/admin/opinions?" + q.Values(p).Encode() })}
	for _, o := range list {
		v.Rows = append(v.Rows, opinionRow{Opinion: o, CategoryLabel: core.OpinionCategoryLabel(o.Category),
			StatusLabel: core.OpinionStatusLabel(o.Status), Snippet: snippet(o.Body, 60), Assignee: assigned[o.ID].StaffName})
	}
	if slices.Contains(core.Editors, by.Role()) {
		v.ExportURL = "/admin/opinions/export?" + q.Values(1).Encode()
	}
	if v.Solicitations, err = s.core.Opinions.Solicitations(ctx); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "opinions", page{Title: "代表意见", Nav: "opinions", Me: by.Account, Data: v})
	return nil
}

// opinionsExport downloads the opinions matching the list's filters as
// Excel.
func opinionsExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Opinions.ExportAs(r.Context(), by, httpkit.ParseOpinionQuery(r.URL.Query()).Filter(by, 0))
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}

// opinionAssignView is the assign form of an opinion's page: who looks
// after it, and the accounts it can be given to.
type opinionAssignView struct {
	Current *model.OpinionAssignment
	Staff   []model.Account
}

// opinionView is an opinion's page: the text as paragraphs, the staff's
// reply, and the assign, reply and close forms.
type opinionView struct {
	O             model.Opinion
	CategoryLabel string
	StatusLabel   string
	Channel       string
	Body, Reply   []string
	CanAnswer     bool
	Form          string // the reply as typed
	Errors        fieldErrors
	Assign        opinionAssignView
}

// renderOpinion shows opinion id with v's form state.
func (s *server) renderOpinion(w http.ResponseWriter, r *http.Request, by core.Actor, status int, id int64, v opinionView) error {
	ctx := r.Context()
	o, err := s.core.Opinions.GetAs(ctx, by, id)
	if err != nil {
		return err
	}
	v.O, v.CategoryLabel, v.StatusLabel = o, core.OpinionCategoryLabel(o.Category), core.OpinionStatusLabel(o.Status)
	v.Channel, v.Body, v.Reply = core.OpinionChannelLabel(o.Channel), lines(o.Body), lines(o.StaffReply)
	v.CanAnswer = slices.Contains(core.Editors, by.Role())
	assigned, err := s.core.Opinions.AssignmentsAs(ctx, by, o.ID)
	if err != nil {
		return err
	}
	if a, ok := assigned[o.ID]; ok {
		v.Assign.Current = &a
	}
	if v.Assign.Staff, err = s.core.Opinions.Assignees(ctx, by); err != nil {
		return err
	}
	s.render(w, r, status, "opinion", page{Title: "意见 " + o.Receipt, Nav: "opinions", Me: by.Account, Data: v})
	return nil
}

func opinionShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	return s.renderOpinion(w, r, by, http.StatusOK, id, opinionView{})
}

// opinionReply answers an opinion; core pushes the reply to its author.
func opinionReply(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	reply := r.PostFormValue("reply")
	o, err := s.core.Opinions.ReplyAs(r.Context(), by, id, reply)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderOpinion(w, r, by, http.StatusUnprocessableEntity, id, opinionView{Form: reply, Errors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, "已答复，答复内容将推送给 "+o.DeputyName+"。")
	http.Redirect(w, r, fmt.Sprintf("/admin/opinions/%d", o.ID), http.StatusSeeOther)
	return nil
}

// opinionClose marks an opinion handled (已办结).
func opinionClose(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	o, err := s.core.Opinions.CloseAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	s.flash(r, "意见 "+o.Receipt+" 已标记为已办结。")
	http.Redirect(w, r, fmt.Sprintf("/admin/opinions/%d", o.ID), http.StatusSeeOther)
	return nil
}

// opinionAdopt marks an opinion on a draft regulation adopted; its author
// is told. A problem with the note is shown as the page's error.
func opinionAdopt(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	_, adopted, err := s.core.Opinions.AdoptAs(r.Context(), by, id, r.PostFormValue("note"))
	if verr, ok := core.Fields(err); ok {
		return badInput(verr.Error())
	} else if err != nil {
		return err
	}
	o, err := s.core.Opinions.GetAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	if adopted {
		s.flash(r, "意见 "+o.Receipt+" 已标记为采纳，已通知提出意见的代表。")
	} else {
		s.flash(r, "意见 "+o.Receipt+" 此前已标记为采纳。")
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/solicitations/%d#op-%d", o.SolicitationID, o.ID), http.StatusSeeOther)
	return nil
}

// statusChoices lists statuses with their names from model.
func statusChoices(label func(string) string, statuses ...string) []core.Choice {
	out := make([]core.Choice, len(statuses))
	for i, st := range statuses {
		out[i] = core.Choice{Value: st, Label: label(st)}
	}
	return out
}
