package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/records/report", viewers, recordReport)
	consoleRoute(http.MethodGet, "/admin/records/report.xlsx", editors, recordReportXLSX)
}

type recordReportView struct {
	Year      int
	Years     []int
	Generated string
	// One of the three: a deputy's report, a delegation's, or neither (the
	// page then offers the choice).
	Deputy      *core.RecordReport
	Timeline    []recordEventRow
	Delegation  *core.DelegationRecord
	Delegations []model.Delegation
	Types       []core.RecordType
	Rules       core.RecordRules
	Excel       string
	Pending     int // self-reports awaiting review, for editors
}

// reportTarget reads ?deputy= or ?delegation=; both empty asks for a choice.
func reportTarget(v url.Values) (deputyID int64, delegation string, err error) {
	if raw := strings.TrimSpace(v.Get("deputy")); raw != "" {
		id, err := parseID(raw)
		return id, "", err
	}
	return 0, cleanText(v.Get("delegation")), nil
}

// recordReport is the printable annual report (履职报告) of a deputy or of a
// delegation; without either it lists the delegations to choose from.
func recordReport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	year, years, err := s.recordYear(r.URL.Query())
	if err != nil {
		return err
	}
	deputyID, delegation, err := reportTarget(r.URL.Query())
	if err != nil {
		return err
	}
	svc := s.records()
	rules, err := svc.Rules(ctx)
	if err != nil {
		return err
	}
	v := recordReportView{Year: year, Years: years, Generated: s.fmtTime(s.d.Now()), Types: core.RecordTypes, Rules: rules}
	title := fmt.Sprintf("%d 年度履职报告", year)
	switch {
	case deputyID > 0:
		rep, err := svc.Report(ctx, deputyID, year)
		if err != nil {
			return err
		}
		v.Deputy, v.Timeline = &rep, eventRows(rep.Timeline)
		_, v.Excel = recordLinks("deputy", strconv.FormatInt(deputyID, 10), year)
		title = fmt.Sprintf("%s %d 年度履职报告", rep.Deputy.Name, year)
	case delegation != "":
		rep, err := svc.DelegationReport(ctx, delegation, year)
		if err != nil {
			return err
		}
		v.Delegation = &rep
		_, v.Excel = recordLinks("delegation", delegation, year)
		title = fmt.Sprintf("%s %d 年度代表履职情况", delegation, year)
	default:
		if v.Delegations, err = s.d.DB.ListDelegations(ctx); err != nil {
			return err
		}
		if (page{Me: me}).CanEdit() {
			if _, v.Pending, err = svc.ReviewQueue(ctx, 1, 0); err != nil {
				return err
			}
		}
	}
	s.render(w, r, http.StatusOK, "record_report", page{Title: title, Nav: "records", Me: me, Data: v})
	return nil
}

// recordReportXLSX downloads the annual report of a deputy or a delegation
// as a workbook.
func recordReportXLSX(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	year, _, err := s.recordYear(r.URL.Query())
	if err != nil {
		return err
	}
	deputyID, delegation, err := reportTarget(r.URL.Query())
	if err != nil {
		return err
	}
	svc := s.records()
	var buf bytes.Buffer
	var name, object string
	switch {
	case deputyID > 0:
		rep, err := svc.Report(ctx, deputyID, year)
		if err != nil {
			return err
		}
		if err := core.WriteReportXLSX(&buf, rep); err != nil {
			return err
		}
		name, object = fmt.Sprintf("履职报告-%s-%d.xlsx", rep.Deputy.Name, year), fmt.Sprintf("deputy/%d", deputyID)
	case delegation != "":
		rep, err := svc.DelegationReport(ctx, delegation, year)
		if err != nil {
			return err
		}
		if err := core.WriteDelegationXLSX(&buf, rep); err != nil {
			return err
		}
		name, object = fmt.Sprintf("代表团履职情况-%s-%d.xlsx", delegation, year), "delegation/"+delegation
	default:
		return badRequest("请选择代表或代表团。")
	}
	// Audited before the file goes out: once the client has it, the
	// record of who took it must already exist.
	s.audit(r, me, "record.export", object, fmt.Sprintf("导出 %d 年度履职报告：%s", year, strings.TrimSuffix(name, ".xlsx")))
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", contentDisposition(name))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = buf.WriteTo(w)
	return nil
}
