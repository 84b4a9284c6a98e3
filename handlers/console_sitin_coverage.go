package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/sitin/coverage", viewers, sitInCoverage) }

// sitInCoverageView is the yearly 列席 coverage page.
type sitInCoverageView struct {
	Year     string
	Term     string
	Errors   fieldErrors
	Coverage core.SitInCoverage
	Sessions []model.MeetingSummary // the latest sessions, to propose invitees for
}

func sitInCoverage(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	q := r.URL.Query()
	now := s.d.Now().In(s.d.Loc)
	v := sitInCoverageView{Year: strings.TrimSpace(q.Get("year")), Term: strings.TrimSpace(q.Get("term")), Errors: fieldErrors{}}
	year := now.Year()
	if v.Year != "" {
		y, err := strconv.Atoi(v.Year)
		if err != nil || y < 2000 || y > 2100 {
			v.Errors["year"] = "年度应为四位数字，如 2025"
		} else {
			year = y
		}
	}
	term, ok := s.sitInTerm(v.Term, time.Date(year, time.June, 1, 0, 0, 0, 0, s.d.Loc))
	if !ok {
		v.Errors["term"] = "日期格式应为 2023-01-01"
	}
	v.Year, v.Term = strconv.Itoa(year), term.Format(time.DateOnly)
	status := http.StatusOK
	if len(v.Errors) == 0 {
		c, err := s.sitInService().Coverage(ctx, term, year)
		if ferrs, ok := fieldErrorsOf(err); ok {
			v.Errors["term"] = strings.Join(mapValues(ferrs), "；")
		} else if err != nil {
			return err
		}
		v.Coverage = c
	}
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	var err error
	if v.Sessions, _, err = s.d.DB.ListMeetings(ctx, model.MeetingFilter{Kind: "session", Limit: 5}); err != nil {
		return err
	}
	s.render(w, r, status, "sitin_coverage", page{Title: "列席覆盖情况", Nav: "sitin", Me: me, Data: v})
	return nil
}

func mapValues(m fieldErrors) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
