package handlers

import (
	"net/http"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/records/delegation", viewers, apiDelegationRecord)
	apiRoute(http.MethodGet, "/api/v1/records/report/export", editors, recordReportXLSX)
}

type apiDelegationDeputy struct {
	DeputyID int64           `json:"deputy_id"`
	Name     string          `json:"name"`
	Totals   apiRecordTotals `json:"totals"`
}

func apiTotalsOf(t core.RecordTotals) apiRecordTotals {
	out := apiRecordTotals{Lines: []apiRecordLine{}, Count: t.Count, Points: t.Points, Pending: t.Pending, Rejected: t.Rejected}
	for _, l := range t.Lines {
		out.Lines = append(out.Lines, apiRecordLine{Type: l.Type, Label: l.Label, Count: l.Count, Points: l.Points})
	}
	return out
}

// apiDelegationRecord is a delegation's year (代表团年度履职情况): each
// deputy's totals, highest points first, and their sum, as the printable
// report and its Excel show them.
func apiDelegationRecord(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	year, _, err := s.recordYear(r.URL.Query())
	if err != nil {
		return err
	}
	name := strings.TrimSpace(cleanText(r.URL.Query().Get("name")))
	if name == "" {
		return badRequest("请用 name 指定代表团，例如 name=济南市代表团")
	}
	rep, err := s.records().DelegationReport(r.Context(), name, year)
	if err != nil {
		return err
	}
	out := struct {
		Delegation string                `json:"delegation"`
		Year       int                   `json:"year"`
		Deputies   []apiDelegationDeputy `json:"deputies"`
		Sum        apiRecordTotals       `json:"sum"`
	}{Delegation: rep.Delegation, Year: rep.Year, Deputies: []apiDelegationDeputy{}, Sum: apiTotalsOf(rep.Sum)}
	for _, d := range rep.Deputies {
		out.Deputies = append(out.Deputies, apiDelegationDeputy{DeputyID: d.DeputyID, Name: d.Name, Totals: apiTotalsOf(d)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
