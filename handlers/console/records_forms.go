package console

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"deputybot/model"
)

// The performance record (履职档案) pages share: the year asked for, the
// self-reports as rows, the report links.

// recordYear reads ?year=, this year when absent; a year that is not one is
// refused rather than shown empty.
func (s *server) recordYear(v url.Values) (year int, years []int, err error) {
	this := s.core.Records.ThisYear()
	for y := this; y > this-5; y-- {
		years = append(years, y)
	}
	raw := v.Get("year")
	if raw == "" {
		return this, years, nil
	}
	year, err = strconv.Atoi(raw)
	if err != nil || year < 2000 || year > this+1 {
		return 0, nil, badInput(fmt.Sprintf("年度“%s”无效，请选择 2000 年至 %d 年之间的年度。", plainText(raw), this))
	}
	return year, years, nil
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
			Category: e.CategoryLabel(), Day: e.HappenedOn.Format(time.DateOnly), Place: e.Place,
			Description: e.Description, Status: e.Status, StatusLabel: e.StatusLabel(), Note: e.ReviewNote,
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

// reportTarget reads ?deputy= or ?delegation=; both empty asks for a choice.
func reportTarget(v url.Values) (deputyID int64, delegation string, err error) {
	if raw := strings.TrimSpace(v.Get("deputy")); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return 0, "", model.ErrNotFound
		}
		return id, "", nil
	}
	return 0, plainText(v.Get("delegation")), nil
}
