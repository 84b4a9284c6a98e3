package console

import (
	"fmt"
	"net/http"
	"strconv"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type recordReportView struct {
	Year      int
	Years     []int
	Generated string
	// One of the three: a deputy's report, a delegation's, or neither (the
	// page then offers the choice).
	Deputy      *model.RecordReport
	Timeline    []model.RecordEvent
	Delegation  *model.DelegationRecord
	Delegations []model.Delegation
	Types       []model.RecordType
	Rules       model.RecordRules
	Excel       string
	Pending     int // self-reports awaiting review, for editors
}

// recordReport is the printable annual report (履职报告) of a deputy or of a
// delegation; without either it lists the delegations to choose from.
func recordReport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ctx := r.Context()
	year, years, err := s.recordYear(r.URL.Query())
	if err != nil {
		return err
	}
	deputyID, delegation, err := reportTarget(r.URL.Query())
	if err != nil {
		return err
	}
	svc := s.core.Records
	rules, err := svc.Rules(ctx, by)
	if err != nil {
		return err
	}
	v := recordReportView{Year: year, Years: years, Generated: s.fmtTime(s.core.Now()), Types: model.RecordTypes, Rules: rules}
	title := fmt.Sprintf("%d 年度履职报告", year)
	switch {
	case deputyID > 0:
		rep, err := svc.Report(ctx, by, deputyID, year)
		if err != nil {
			return err
		}
		v.Deputy, v.Timeline = &rep, rep.Timeline
		_, v.Excel = recordLinks("deputy", strconv.FormatInt(deputyID, 10), year)
		title = fmt.Sprintf("%s %d 年度履职报告", rep.Deputy.Name, year)
	case delegation != "":
		rep, err := svc.DelegationReport(ctx, by, delegation, year)
		if err != nil {
			return err
		}
		v.Delegation = &rep
		_, v.Excel = recordLinks("delegation", delegation, year)
		title = fmt.Sprintf("%s %d 年度代表履职情况", delegation, year)
	default:
		if v.Delegations, err = svc.Delegations(ctx, by); err != nil {
			return err
		}
		if (page{Me: by.Account}).CanEdit() {
			if _, v.Pending, err = svc.ReviewQueue(ctx, by, 1, 0); err != nil {
				return err
			}
		}
	}
	s.render(w, r, http.StatusOK, "record_report", page{Title: title, Nav: "records", Me: by.Account, Data: v})
	return nil
}

// recordReportXLSX downloads the annual report of a deputy or a delegation
// as a workbook.
func recordReportXLSX(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	year, _, err := s.recordYear(r.URL.Query())
	if err != nil {
		return err
	}
	deputyID, delegation, err := reportTarget(r.URL.Query())
	if err != nil {
		return err
	}
	if deputyID == 0 && delegation == "" {
		return badInput("请选择代表或代表团。")
	}
	f, err := s.core.Records.ExportReport(r.Context(), by, core.ReportTarget{DeputyID: deputyID, Delegation: delegation}, year)
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
