package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

type deputyRecordOut struct {
	Deputy   deputy        `json:"deputy"`
	Year     int           `json:"year"`
	Totals   recordTotals  `json:"totals"`
	Timeline []recordEvent `json:"timeline"`
	Entries  []recordEntry `json:"entries"`
}

// deputyRecord is a deputy's performance record (履职档案) for ?year= (this
// year by default): totals by type, the timeline and the self-reports with
// their review.
func deputyRecord(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	year, err := s.recordYear(r.URL.Query())
	if err != nil {
		return err
	}
	rep, err := s.core.Records.Report(r.Context(), by, id, year)
	if err != nil {
		return err
	}
	out := deputyRecordOut{Deputy: deputyOf(rep.Deputy), Year: year, Totals: recordTotalsOf(rep.Totals),
		Timeline: []recordEvent{}, Entries: recordEntries(rep.Entries)}
	for _, e := range rep.Timeline {
		out.Timeline = append(out.Timeline, recordEventOf(e))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
