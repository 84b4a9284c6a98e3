package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// sitInCoverageView is the yearly 列席 coverage page.
type sitInCoverageView struct {
	Year     string
	Term     string
	Errors   fieldErrors
	Coverage model.SitInCoverage
	Sessions []model.MeetingSummary // the latest sessions, to propose invitees for
}

// sitInCoverage shows the coverage of ?year= (this year) since ?term= (the
// term's first day; default the term the year falls in).
func sitInCoverage(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ctx := r.Context()
	q := r.URL.Query()
	v := sitInCoverageView{Year: strings.TrimSpace(q.Get("year")), Term: strings.TrimSpace(q.Get("term")), Errors: fieldErrors{}}
	year := s.core.Now().In(s.core.Location()).Year()
	if v.Year != "" {
		y, err := strconv.Atoi(v.Year)
		if err != nil || y < 2000 || y > 2100 {
			v.Errors["year"] = "年度应为四位数字，如 2025"
		} else {
			year = y
		}
	}
	v.Year = strconv.Itoa(year)
	status := http.StatusOK
	if len(v.Errors) == 0 {
		c, err := s.core.SitIn.Coverage(ctx, by, v.Term, year)
		if fe, ok := fieldErrorsOf(err); ok {
			v.Errors = fe
		} else if err != nil {
			return err
		}
		v.Coverage = c
		if v.Term == "" || len(v.Errors) == 0 {
			v.Term = c.TermStart.In(s.core.Location()).Format(time.DateOnly)
		}
	}
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	var err error
	if v.Sessions, _, err = s.core.Meetings.List(ctx, by, model.MeetingFilter{Kind: model.MeetingSession, Limit: 5}); err != nil {
		return err
	}
	s.render(w, r, status, "sitin_coverage", page{Title: "列席覆盖情况", Nav: "sitin", Me: by.Account, Data: v})
	return nil
}
