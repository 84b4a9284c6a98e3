package handlers

import (
	"deputybot/model"
	"net/http"
)

// The monthly and yearly work report (工作报表), as the console's
// /admin/reports shows it.
func init() {
	apiRoute(http.MethodGet, "/api/v1/reports", viewers, apiReport)
	apiRoute(http.MethodGet, "/api/v1/reports/export", editors, reportsExport)
}

type apiReportLine struct {
	Section string `json:"section"`
	Label   string `json:"label"`
	Value   string `json:"value"`
	Formula string `json:"formula"`
}

type apiReportMonth struct {
	Month       string `json:"month"`
	Notices     int    `json:"notices"`
	Deliveries  int    `json:"deliveries"`
	Studies     int    `json:"studies"`
	Invited     int    `json:"invited"`
	Attended    int    `json:"attended"`
	Suggestions int    `json:"suggestions"`
	Ratings     int    `json:"ratings"`
	Opinions    int    `json:"opinions"`
	Responses   int    `json:"responses"`
}

// apiReport is the report of ?period= (2026-11 or 2026; this month by
// default): its figures with how each is computed, and for a year one
// line per month.
func apiReport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	p, err := s.reportPeriod(r)
	if err != nil {
		return err
	}
	v, _, err := s.reportView(r.Context(), p)
	if err != nil {
		return err
	}
	out := struct {
		Period string           `json:"period"`
		Label  string           `json:"label"`
		Yearly bool             `json:"yearly"`
		Lines  []apiReportLine  `json:"lines"`
		Months []apiReportMonth `json:"months"`
	}{Period: p.Key, Label: p.Label, Yearly: p.Yearly, Lines: []apiReportLine{}, Months: []apiReportMonth{}}
	for _, l := range v.Lines {
		out.Lines = append(out.Lines, apiReportLine(l))
	}
	for _, m := range v.Months {
		out.Months = append(out.Months, apiReportMonth{Month: m.Label, Notices: m.Notices, Deliveries: m.Deliveries,
			Studies: m.Studies, Invited: m.Invited, Attended: m.Attended, Suggestions: m.Suggestions, Ratings: m.Ratings,
			Opinions: m.Opinion, Responses: m.Responses})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
