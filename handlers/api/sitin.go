package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type sitInInput struct {
	N      *int     `json:"n"`      // default 20
	Topics []string `json:"topics"` // the session's agenda topics
	Term   string   `json:"term"`   // the term's first day, yyyy-mm-dd
}

type proposal struct {
	No          int      `json:"no"`
	Deputy      deputy   `json:"deputy"`
	Score       float64  `json:"score"`
	Sittings    int      `json:"sittings"`
	Suggestions int      `json:"suggestions"`
	Research    int      `json:"research"`
	GroupMatch  bool     `json:"group_match"`
	Reasons     []string `json:"reasons"`
}

type sitInProposalOut struct {
	MeetingID int64      `json:"meeting_id"`
	N         int        `json:"n"`
	Topics    []string   `json:"topics"`
	Term      string     `json:"term"`
	Proposals []proposal `json:"proposals"`
}

// sitInProposal proposes whom to invite to sit in (列席) on a session, each
// with the reasons; it invites no one (POST …/invite does, with
// deputy_ids).
func sitInProposal(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in sitInInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	req := core.SitInRequest{N: 20, Topics: in.Topics, Term: in.Term}
	if in.N != nil {
		req.N = *in.N
	}
	prop, err := s.core.SitIn.Propose(r.Context(), by, id, req)
	if err != nil {
		return err
	}
	topics := prop.Topics
	if topics == nil {
		topics = []string{}
	}
	out := sitInProposalOut{MeetingID: id, N: prop.N, Topics: topics, Term: prop.TermStart.Format(time.DateOnly), Proposals: []proposal{}}
	for i, p := range prop.Proposals {
		reasons := p.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		out.Proposals = append(out.Proposals, proposal{No: i + 1, Deputy: deputyOf(p.Deputy),
			Score: p.Score, Sittings: p.Sittings, Suggestions: p.Suggestions, Research: p.Research,
			GroupMatch: p.GroupMatch, Reasons: reasons})
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

type coverageRow struct {
	Delegation string  `json:"delegation"`
	InOffice   int     `json:"in_office"`
	InTerm     int     `json:"in_term"`
	InYear     int     `json:"in_year"`
	Percent    float64 `json:"percent"`
	Remaining  int     `json:"remaining"`
}

func coverageRowOf(r model.SitInCoverageRow) coverageRow {
	return coverageRow{Delegation: r.Delegation, InOffice: r.InOffice, InTerm: r.InTerm, InYear: r.InYear,
		Percent: r.Percent(), Remaining: r.Remaining()}
}

type coverageOut struct {
	Year  int           `json:"year"`
	Term  string        `json:"term"`
	Rows  []coverageRow `json:"rows"`
	Total coverageRow   `json:"total"`
}

// sitInCoverage is the yearly 列席 coverage by delegation: deputies in
// office, those who sat in this term (from ?term=) and in ?year=.
func sitInCoverage(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	year := s.core.Now().In(s.core.Location()).Year()
	if v := strings.TrimSpace(q.Get("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > 2100 {
			return badRequest("year 应为四位数字，如 2025")
		}
		year = y
	}
	c, err := s.core.SitIn.Coverage(r.Context(), by, q.Get("term"), year)
	if err != nil {
		return err
	}
	out := coverageOut{Year: c.Year, Term: c.TermStart.In(s.core.Location()).Format(time.DateOnly), Rows: []coverageRow{},
		Total: coverageRowOf(c.Total)}
	for _, row := range c.Rows {
		out.Rows = append(out.Rows, coverageRowOf(row))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
