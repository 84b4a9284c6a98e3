package core

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
)

// ReportTarget names whose annual report to export: one deputy, or a
// delegation.
type ReportTarget struct {
	DeputyID   int64
	Delegation string
}

// ExportReport exports the annual report of year, of a deputy or of a
// delegation, as a workbook. The export is audited before the file is
// handed out: once someone has it, the record of who took it must exist.
func (s *Records) ExportReport(ctx context.Context, by Actor, target ReportTarget, year int) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.tx(ctx, func(ctx context.Context) error {
		var buf bytes.Buffer
		var object string
		switch {
		case target.DeputyID > 0:
			rep, err := s.Report(ctx, by, target.DeputyID, year)
			if err != nil {
				return err
			}
			if err := WriteReportXLSX(&buf, rep); err != nil {
				return err
			}
			out.Name, object = fmt.Sprintf("履职报告-%s-%d.xlsx", rep.Deputy.Name, year), "deputy/"+strconv.FormatInt(target.DeputyID, 10)
		case target.Delegation != "":
			rep, err := s.DelegationReport(ctx, by, target.Delegation, year)
			if err != nil {
				return err
			}
			if err := WriteDelegationXLSX(&buf, rep); err != nil {
				return err
			}
			out.Name, object = fmt.Sprintf("代表团履职情况-%s-%d.xlsx", target.Delegation, year), "delegation/"+target.Delegation
		default:
			return &FieldError{Key: "deputy", Label: "代表或代表团", Msg: "请选择代表或代表团"}
		}
		out.Data = buf.Bytes()
		return s.audit(ctx, by, "record.export", object, fmt.Sprintf("导出 %d 年度履职报告：%s", year, out.Name[:len(out.Name)-len(".xlsx")]))
	})
	if err != nil {
		return ExportFile{}, err
	}
	return out, nil
}

// WriteReportXLSX writes a deputy's annual report as a workbook: the
// totals by type, then every event.
func WriteReportXLSX(w io.Writer, rep model.RecordReport) error {
	sh, err := newSheetWriter("履职汇总", []sheetColumn{
		{fmt.Sprintf("%s %d 年度履职情况", rep.Deputy.Name, rep.Year), 24}, {"", 12}, {"", 10}})
	if err != nil {
		return err
	}
	rows := [][]any{
		{"代表团", rep.Deputy.Delegation},
		{},
		{"履职类型", "次数", "积分"},
	}
	for _, l := range rep.Totals.Lines {
		rows = append(rows, []any{l.Label, l.Count, l.Points})
	}
	rows = append(rows, []any{"合计", rep.Totals.Count, rep.Totals.Points},
		[]any{"待审核的履职登记", rep.Totals.Pending, ""})
	if err := addRows(sh, rows); err != nil {
		sh.abort()
		return err
	}
	if err := sh.nextSheet("履职明细", []sheetColumn{{"日期", 12}, {"类型", 18}, {"内容", 40}, {"地点", 20}, {"说明", 14}, {"积分", 8}}); err != nil {
		sh.abort()
		return err
	}
	rows = nil
	for _, e := range rep.Timeline {
		rows = append(rows, []any{e.At.Format(time.DateOnly), e.Label, e.Title, e.Place, e.Detail, e.Points})
	}
	if err := addRows(sh, rows); err != nil {
		sh.abort()
		return err
	}
	return sh.writeTo(w)
}

// WriteDelegationXLSX writes a delegation's annual record: one row per
// deputy with the count of each type and the points.
func WriteDelegationXLSX(w io.Writer, rep model.DelegationRecord) error {
	cols := []sheetColumn{{fmt.Sprintf("%s %d 年度代表履职情况", rep.Delegation, rep.Year), 12}}
	head := []any{"姓名"}
	for _, t := range model.RecordTypes {
		head = append(head, t.Label)
		cols = append(cols, sheetColumn{"", 12})
	}
	head = append(head, "合计次数", "积分", "待审核登记")
	cols = append(cols, sheetColumn{"", 10}, sheetColumn{"", 8}, sheetColumn{"", 10})
	sh, err := newSheetWriter("代表团履职汇总", cols)
	if err != nil {
		return err
	}
	rows := [][]any{head}
	for _, t := range append(slices.Clone(rep.Deputies), rep.Sum) {
		row := []any{t.Name}
		for _, l := range t.Lines {
			row = append(row, l.Count)
		}
		rows = append(rows, append(row, t.Count, t.Points, t.Pending))
	}
	if err := addRows(sh, rows); err != nil {
		sh.abort()
		return err
	}
	return sh.writeTo(w)
}

func addRows(sh *sheetWriter, rows [][]any) error {
	for _, row := range rows {
		if err := sh.addCells(excelize.RowOpts{}, row...); err != nil {
			return err
		}
	}
	return nil
}
