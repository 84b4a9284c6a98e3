package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

type delegationDeputy struct {
	DeputyID int64        `json:"deputy_id"`
	Name     string       `json:"name"`
	Totals   recordTotals `json:"totals"`
}

type delegationRecordOut struct {
	Delegation string             `json:"delegation"`
	Year       int                `json:"year"`
	Deputies   []delegationDeputy `json:"deputies"`
	Sum        recordTotals       `json:"sum"`
}

// plainQuery drops control characters and surrounding space from a query
// value.
func plainQuery(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s))
}

// delegationRecord is a delegation's year (代表团年度履职情况): each
// deputy's totals, highest points first, and their sum, as the printable
// report and its Excel show them.
func delegationRecord(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	year, err := s.recordYear(r.URL.Query())
	if err != nil {
		return err
	}
	name := plainQuery(r.URL.Query().Get("name"))
	if name == "" {
		return badRequest("请用 name 指定代表团，例如 name=济南市代表团")
	}
	rep, err := s.core.Records.DelegationReport(r.Context(), by, name, year)
	if err != nil {
		return err
	}
	out := delegationRecordOut{Delegation: rep.Delegation, Year: rep.Year, Deputies: []delegationDeputy{}, Sum: recordTotalsOf(rep.Sum)}
	for _, d := range rep.Deputies {
		out.Deputies = append(out.Deputies, delegationDeputy{DeputyID: d.DeputyID, Name: d.Name, Totals: recordTotalsOf(d)})
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// recordReportExport downloads the annual report of a deputy (?deputy=) or
// a delegation (?delegation=) as a workbook; neither is 400.
func recordReportExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	year, err := s.recordYear(q)
	if err != nil {
		return err
	}
	var target core.ReportTarget
	if raw := strings.TrimSpace(q.Get("deputy")); raw != "" {
		if target.DeputyID, err = strconv.ParseInt(raw, 10, 64); err != nil || target.DeputyID <= 0 {
			return badRequest("deputy 应为代表编号")
		}
	} else if target.Delegation = plainQuery(q.Get("delegation")); target.Delegation == "" {
		return badRequest("请选择代表或代表团。")
	}
	f, err := s.core.Records.ExportReport(r.Context(), by, target, year)
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
