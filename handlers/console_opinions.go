package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/opinions", viewers, opinionsList) }

// opinionPageSize is the length of a page of the opinions inbox.
const opinionPageSize = 50

var (
	opinionCategories = []string{model.OpinionLegislative, model.OpinionSupervision, model.OpinionSocial,
		model.OpinionOther, model.OpinionSolicitation}
	opinionStatuses = []string{model.OpinionReceived, model.OpinionAnswered, model.OpinionClosed}
)

// opinionQuery is the filter of the inbox, as written in the URL.
type opinionQuery struct {
	Category, Status, Deputy string
	Solicitation, DeputyID   int64
	Assignee                 string // "me": only the opinions assigned to the viewer
	Page                     int
}

func parseOpinionQuery(v url.Values) opinionQuery {
	q := opinionQuery{Category: oneOf(v.Get("category"), opinionCategories...), Status: oneOf(v.Get("status"), opinionStatuses...),
		Deputy: cleanText(v.Get("deputy")), Assignee: oneOf(v.Get("assignee"), "me")}
	q.Solicitation, _ = strconv.ParseInt(v.Get("solicitation"), 10, 64)
	q.DeputyID, _ = strconv.ParseInt(v.Get("deputy_id"), 10, 64)
	q.Solicitation, q.DeputyID = max(q.Solicitation, 0), max(q.DeputyID, 0)
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.Page = min(max(q.Page, 1), 100000)
	return q
}

func (q opinionQuery) filter() model.OpinionQuery {
	return model.OpinionQuery{OpinionFilter: model.OpinionFilter{DeputyID: q.DeputyID, SolicitationID: q.Solicitation,
		Category: q.Category, Status: q.Status}, DeputyName: q.Deputy}
}

func (q opinionQuery) values(page int) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("category", q.Category)
	set("status", q.Status)
	set("deputy", q.Deputy)
	set("assignee", q.Assignee)
	if q.Solicitation > 0 {
		v.Set("solicitation", strconv.FormatInt(q.Solicitation, 10))
	}
	if q.DeputyID > 0 {
		v.Set("deputy_id", strconv.FormatInt(q.DeputyID, 10))
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

func (s *server) listOpinions(ctx context.Context, q opinionQuery, per int) ([]model.Opinion, int, error) {
	f := q.filter()
	if me, _ := httpkit.AccountOf(ctx); q.Assignee == "me" {
		f.AssigneeID = me.ID
		if f.AssigneeID == 0 {
			f.AssigneeID = -1 // no account: nothing is assigned to it
		}
	}
	f.Limit, f.Offset = per, (q.Page-1)*per
	return s.d.DB.ListOpinionItems(ctx, f)
}

// opinionRow is one line of the inbox.
type opinionRow struct {
	model.Opinion
	CategoryLabel, StatusLabel, Snippet string
	Assignee                            string // the assignee's name, "" when unassigned
}

func opinionRowOf(o model.Opinion) opinionRow {
	return opinionRow{Opinion: o, CategoryLabel: core.OpinionCategoryLabel(o.Category),
		StatusLabel: core.OpinionStatusLabel(o.Status), Snippet: snippet(o.Body, 60)}
}

type opinionsView struct {
	Query         opinionQuery
	Rows          []opinionRow
	Pager         pager
	Categories    []core.Choice
	Statuses      []core.Choice
	Solicitations []model.Solicitation
	ExportURL     string
}

var opinionStatusChoices = []core.Choice{{Value: model.OpinionReceived, Label: "已收到"},
	{Value: model.OpinionAnswered, Label: "已答复"}, {Value: model.OpinionClosed, Label: "已办结"}}

func opinionCategoryChoices() []core.Choice {
	return append(append([]core.Choice{}, core.OpinionCategoryChoices...),
		core.Choice{Value: model.OpinionSolicitation, Label: core.OpinionCategoryLabel(model.OpinionSolicitation)})
}

func opinionsList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	q := parseOpinionQuery(r.URL.Query())
	list, total, err := s.listOpinions(ctx, q, opinionPageSize)
	if err != nil {
		return err
	}
	v := opinionsView{Query: q, Categories: opinionCategoryChoices(), Statuses: opinionStatusChoices,
		Pager: newPager(total, q.Page, opinionPageSize, func(p int) string { return "/admin/opinions?" + q.values(p).Encode() })}
	assignees, err := s.opinionAssignees(ctx, list)
	if err != nil {
		return err
	}
	for _, o := range list {
		row := opinionRowOf(o)
		row.Assignee = assignees[o.ID]
		v.Rows = append(v.Rows, row)
	}
	if canExport(me.Role) {
		v.ExportURL = "/admin/opinions/export?" + q.values(1).Encode()
	}
	if v.Solicitations, err = s.opinions().Solicitations(ctx); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "opinions", page{Title: "代表意见", Nav: "opinions", Me: me, Data: v})
	return nil
}

// opinionObject names an opinion in the audit log.
func opinionObject(o model.Opinion) string { return "opinion/" + o.Receipt }
