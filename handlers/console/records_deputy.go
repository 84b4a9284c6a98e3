package console

import (
	"net/http"
	"strconv"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type deputyRecordView struct {
	Deputy           model.Deputy
	Year             int
	Years            []int
	Totals           model.RecordTotals
	Timeline         []model.RecordEvent
	Entries          []recordEntryRow
	ReportURL, Excel string
}

// deputyRecord shows a deputy's performance record for a year: totals by
// type, the timeline, and the self-reports with their review.
func deputyRecord(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	year, years, err := s.recordYear(r.URL.Query())
	if err != nil {
		return err
	}
	rep, err := s.core.Records.Report(r.Context(), by, id, year)
	if err != nil {
		return err
	}
	v := deputyRecordView{Deputy: rep.Deputy, Year: year, Years: years, Totals: rep.Totals,
		Timeline: rep.Timeline, Entries: s.entryRows(rep.Entries)}
	v.ReportURL, v.Excel = recordLinks("deputy", strconv.FormatInt(id, 10), year)
	s.render(w, r, http.StatusOK, "record", page{Title: rep.Deputy.Name + " 履职档案", Nav: "records", Me: by.Account, Data: v})
	return nil
}
