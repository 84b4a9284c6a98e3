package handlers

import (
	"net/url"
	"strconv"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// The performance record (履职档案) pages: a deputy's timeline, the review
// queue of self-reports, and the annual reports.

// records returns the records service on the console's clock and zone.
func (s *server) records() *core.Records {
	svc := core.NewRecords(s.d.DB)
	svc.Now, svc.Loc = s.d.Now, s.d.Loc
	return svc
}

// recordYear reads ?year=, this year when absent; a year that is not one
// is refused rather than shown empty.
func (s *server) recordYear(v url.Values) (year int, years []int, err error) {
	this := s.records().ThisYear()
	for y := this; y > this-5; y-- {
		years = append(years, y)
	}
	raw := v.Get("year")
	if raw == "" {
		return this, years, nil
	}
	year, err = strconv.Atoi(raw)
	if err != nil || year < 2000 || year > this+1 {
		return 0, nil, badRequest("年度“%s”无效，请选择 2000 年至 %d 年之间的年度。", cleanText(raw), this)
	}
	return year, years, nil
}

// recordEventRow is one line of a timeline as the pages show it.
type recordEventRow struct {
	When, Label, Title, Place, Detail string
	Points                            int
}

func eventRows(evs []core.RecordEvent) []recordEventRow {
	out := make([]recordEventRow, len(evs))
	for i, e := range evs {
		when := e.At.Format("2006-01-02 15:04")
		if e.DateOnly {
			when = e.At.Format(time.DateOnly)
		}
		out[i] = recordEventRow{When: when, Label: e.Label, Title: e.Title, Place: e.Place, Detail: e.Detail, Points: e.Points}
	}
	return out
}

// recordEntryRow is a self-report as the pages show it.
type recordEntryRow struct {
	ID, DeputyID                        int64
	DeputyName, Delegation              string
	Category, Day, Place, Description   string
	Status, StatusLabel, Note, Reviewer string
	Submitted, Reviewed                 string
}

func (s *server) entryRows(es []model.RecordEntry) []recordEntryRow {
	out := make([]recordEntryRow, len(es))
	for i, e := range es {
		out[i] = recordEntryRow{ID: e.ID, DeputyID: e.DeputyID, DeputyName: e.DeputyName, Delegation: e.Delegation,
			Category: core.EntryCategoryLabel(e.Category), Day: e.HappenedOn.Format(time.DateOnly), Place: e.Place,
			Description: e.Description, Status: e.Status, StatusLabel: core.EntryStatusLabel(e.Status), Note: e.ReviewNote,
			Reviewer: e.ReviewedBy, Submitted: s.fmtTime(e.CreatedAt), Reviewed: s.fmtTime(e.ReviewedAt)}
	}
	return out
}

// recordLinks are the report and export addresses of a deputy or a
// delegation for a year.
func recordLinks(param, value string, year int) (report, xlsx string) {
	q := url.Values{param: {value}, "year": {strconv.Itoa(year)}}.Encode()
	return "/admin/records/report?" + q, "/admin/records/report.xlsx?" + q
}
