package handlers

import (
	"net/http"
	"strconv"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/deputies/{id}/record", viewers, deputyRecord) }

type deputyRecordView struct {
	Deputy           model.Deputy
	Year             int
	Years            []int
	Totals           core.RecordTotals
	Timeline         []recordEventRow
	Entries          []recordEntryRow
	ReportURL, Excel string
}

// deputyRecord shows a deputy's performance record for a year: totals by
// type, the timeline, and the self-reports with their review.
func deputyRecord(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	year, years, err := s.recordYear(r.URL.Query())
	if err != nil {
		return err
	}
	rep, err := s.records().Report(r.Context(), id, year)
	if err != nil {
		return err
	}
	v := deputyRecordView{Deputy: forViewer(me, rep.Deputy)[0], Year: year, Years: years, Totals: rep.Totals,
		Timeline: eventRows(rep.Timeline), Entries: s.entryRows(rep.Entries)}
	v.ReportURL, v.Excel = recordLinks("deputy", strconv.FormatInt(id, 10), year)
	s.render(w, r, http.StatusOK, "record", page{Title: rep.Deputy.Name + " 履职档案", Nav: "records", Me: me, Data: v})
	return nil
}
