package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodPost, "/api/v1/meetings/{id}/sitin/proposal", editors, apiSitInProposal)
	apiRoute(http.MethodGet, "/api/v1/sitin/coverage", viewers, apiSitInCoverage)
}

// sitInKeys names the JSON properties of core's 列席 fields.
var sitInKeys = mapKeys(map[string]string{"人数": "n", "议题": "topics", "本届起始日期": "term", "会议类型": "kind"})

type apiSitInInput struct {
	N      *int     `json:"n"`      // default 20
	Topics []string `json:"topics"` // the session's agenda topics
	Term   string   `json:"term"`   // the term's first day, yyyy-mm-dd
}

type apiProposal struct {
	No          int       `json:"no"`
	Deputy      apiDeputy `json:"deputy"`
	Score       float64   `json:"score"`
	Sittings    int       `json:"sittings"`
	Suggestions int       `json:"suggestions"`
	Research    int       `json:"research"`
	GroupMatch  bool      `json:"group_match"`
	Reasons     []string  `json:"reasons"`
}

type apiSitInProposalOut struct {
	MeetingID int64         `json:"meeting_id"`
	N         int           `json:"n"`
	Topics    []string      `json:"topics"`
	Term      string        `json:"term"`
	Proposals []apiProposal `json:"proposals"`
}

// apiSitInProposal proposes whom to invite to sit in (列席) on a session,
// each with the reasons; it invites no one (POST …/invite does, with
// deputy_ids).
func apiSitInProposal(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	m, err := s.meetingOfPath(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var in apiSitInInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var errs core.ValidationError
	if m.Kind != "session" {
		errs = append(errs, &core.FieldError{Key: "kind", Label: "会议类型", Value: m.Kind, Msg: "只有“" + core.MeetingKindLabel("session") + "”可以按列席规则推荐人选"})
	}
	n := sitInDefaultN
	if in.N != nil {
		n = *in.N
	}
	term, ok := s.sitInTerm(in.Term, m.StartsAt)
	if !ok {
		errs = append(errs, &core.FieldError{Key: "term", Label: "本届起始日期", Value: in.Term, Msg: "日期格式应为 2023-01-01"})
	}
	if len(errs) > 0 {
		return writeAPIValidation(w, errs, sitInKeys)
	}
	var topics []string
	for _, t := range in.Topics {
		topics = append(topics, core.SplitSitInTopics(t)...)
	}
	ps, err := s.sitInService().Propose(r.Context(), core.SitInRequest{MeetingID: m.ID, N: n, Topics: topics, TermStart: term})
	if err != nil {
		return writeAPIValidation(w, err, sitInKeys)
	}
	if topics == nil {
		topics = []string{}
	}
	out := apiSitInProposalOut{MeetingID: m.ID, N: n, Topics: topics, Term: term.Format(time.DateOnly), Proposals: []apiProposal{}}
	for i, p := range ps {
		reasons := p.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		out.Proposals = append(out.Proposals, apiProposal{No: i + 1, Deputy: apiDeputyOf(forViewer(me, p.Deputy)[0]),
			Score: p.Score, Sittings: p.Sittings, Suggestions: p.Suggestions, Research: p.Research,
			GroupMatch: p.GroupMatch, Reasons: reasons})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type apiCoverageRow struct {
	Delegation string  `json:"delegation"`
	InOffice   int     `json:"in_office"`
	InTerm     int     `json:"in_term"`
	InYear     int     `json:"in_year"`
	Percent    float64 `json:"percent"`
	Remaining  int     `json:"remaining"`
}

func apiCoverageRowOf(r core.SitInCoverageRow) apiCoverageRow {
	return apiCoverageRow{Delegation: r.Delegation, InOffice: r.InOffice, InTerm: r.InTerm, InYear: r.InYear,
		Percent: r.Percent(), Remaining: r.Remaining()}
}

type apiCoverageOut struct {
	Year  int              `json:"year"`
	Term  string           `json:"term"`
	Rows  []apiCoverageRow `json:"rows"`
	Total apiCoverageRow   `json:"total"`
}

// apiSitInCoverage is the yearly 列席 coverage by delegation: deputies in
// office, those who sat in this term (from ?term=) and in ?year=.
func apiSitInCoverage(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	q := r.URL.Query()
	year := s.d.Now().In(s.d.Loc).Year()
	if v := strings.TrimSpace(q.Get("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > 2100 {
			return badRequest("year 应为四位数字，如 2025")
		}
		year = y
	}
	term, ok := s.sitInTerm(q.Get("term"), time.Date(year, time.June, 1, 0, 0, 0, 0, s.d.Loc))
	if !ok {
		return badRequest("term 的格式应为 2023-01-01")
	}
	c, err := s.sitInService().Coverage(r.Context(), term, year)
	if err != nil {
		return writeAPIValidation(w, err, sitInKeys)
	}
	out := apiCoverageOut{Year: c.Year, Term: c.TermStart.In(s.d.Loc).Format(time.DateOnly), Rows: []apiCoverageRow{},
		Total: apiCoverageRowOf(c.Total)}
	for _, row := range c.Rows {
		out.Rows = append(out.Rows, apiCoverageRowOf(row))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
