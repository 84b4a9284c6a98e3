package httpkit

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"deputybot/core"
	"deputybot/model"
)

// OpinionQuery is the opinions list's filters as a URL query carries them,
// read the same way by the console's list and the API's.
type OpinionQuery struct {
	Category, Status, Deputy string
	Solicitation, DeputyID   int64
	Assignee                 string // "me": only the opinions assigned to the viewer
	Page                     int
}

var (
	opinionCategories = []string{model.OpinionLegislative, model.OpinionSupervision, model.OpinionSocial,
		model.OpinionOther, model.OpinionSolicitation}
	opinionStatuses = []string{model.OpinionReceived, model.OpinionAnswered, model.OpinionClosed}
)

// ParseOpinionQuery reads the filters; a value out of range is dropped.
func ParseOpinionQuery(v url.Values) OpinionQuery {
	q := OpinionQuery{Category: oneOf(v.Get("category"), opinionCategories...), Status: oneOf(v.Get("status"), opinionStatuses...),
		Deputy: CleanText(v.Get("deputy")), Assignee: oneOf(v.Get("assignee"), "me")}
	q.Solicitation, _ = strconv.ParseInt(v.Get("solicitation"), 10, 64)
	q.DeputyID, _ = strconv.ParseInt(v.Get("deputy_id"), 10, 64)
	q.Solicitation, q.DeputyID = max(q.Solicitation, 0), max(q.DeputyID, 0)
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.Page = min(max(q.Page, 1), 100000)
	return q
}

// Filter is the query as core reads it, for the actor by; per is the page
// length (0: every opinion).
func (q OpinionQuery) Filter(by core.Actor, per int) model.OpinionFilter {
	f := model.OpinionFilter{DeputyID: q.DeputyID, SolicitationID: q.Solicitation, Category: q.Category, Status: q.Status,
		DeputyName: q.Deputy}
	if q.Assignee == "me" {
		f.AssigneeID = by.Account.ID
		if f.AssigneeID == 0 {
			f.AssigneeID = -1 // no account: nothing is assigned to it
		}
	}
	if per > 0 {
		f.Limit, f.Offset = per, (q.Page-1)*per
	}
	return f
}

// Values is the query as a URL query, at page.
func (q OpinionQuery) Values(page int) url.Values {
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

// CleanText trims a filter value and drops control characters (a NUL is
// ignored by MySQL's collation and cuts SQLite's LIKE short).
func CleanText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s))
}

func oneOf(v string, allowed ...string) string {
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	return ""
}
