package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// report is the report of ?period= (2026-11 or 2026; this month by
// default): its figures with how each is computed, and for a year one line
// per month, as the console's /admin/reports shows it.
func report(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	sum, err := s.core.Reports.SummaryAs(r.Context(), by, r.URL.Query().Get("period"))
	if err != nil {
		return periodError(err)
	}
	type line struct {
		Section string `json:"section"`
		Label   string `json:"label"`
		Value   string `json:"value"`
		Formula string `json:"formula"`
	}
	type month struct {
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
	p := sum.Period
	out := struct {
		Period string  `json:"period"`
		Label  string  `json:"label"`
		Yearly bool    `json:"yearly"`
		Lines  []line  `json:"lines"`
		Months []month `json:"months"`
	}{Period: p.Key, Label: p.Label, Yearly: p.Yearly, Lines: []line{}, Months: []month{}}
	for _, l := range sum.Lines {
		out.Lines = append(out.Lines, line(l))
	}
	for _, m := range sum.Months {
		out.Months = append(out.Months, month{Month: m.Label, Notices: m.Notices, Deliveries: m.Deliveries,
			Studies: m.Studies, Invited: m.Invited, Attended: m.Attended, Suggestions: m.Suggestions, Ratings: m.Ratings,
			Opinions: m.Opinion, Responses: m.Responses})
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// reportExport downloads the report as Excel.
func reportExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Reports.ExportAs(r.Context(), by, r.URL.Query().Get("period"))
	if err != nil {
		return periodError(err)
	}
	httpkit.SendExport(w, f)
	return nil
}

// periodError answers a period the query cannot name with 400, as for any
// malformed query parameter.
func periodError(err error) error {
	if verr, ok := core.Fields(err); ok {
		return badRequest(verr[0].Label + verr[0].Msg + "。")
	}
	return err
}
