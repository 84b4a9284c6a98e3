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
	f := excelize.NewFile()
	defer f.Close()
	sum := "履职汇总"
	_ = f.SetSheetName("Sheet1", sum)
	rows := [][]any{
		{fmt.Sprintf("%s %d 年度履职情况", rep.Deputy.Name, rep.Year)},
		{"代表团", rep.Deputy.Delegation},
		{},
		{"履职类型", "次数", "积分"},
	}
	for _, l := range rep.Totals.Lines {
		rows = append(rows, []any{l.Label, l.Count, l.Points})
	}
	rows = append(rows, []any{"合计", rep.Totals.Count, rep.Totals.Points},
		[]any{"待审核的履职登记", rep.Totals.Pending, ""})
	if err := writeRows(f, sum, rows, []float64{24, 12, 10}); err != nil {
		return err
	}
	detail := "履职明细"
	if _, err := f.NewSheet(detail); err != nil {
		return err
	}
	rows = [][]any{{"日期", "类型", "内容", "地点", "说明", "积分"}}
	for _, e := range rep.Timeline {
		rows = append(rows, []any{e.At.Format(time.DateOnly), e.Label, e.Title, e.Place, e.Detail, e.Points})
	}
	if err := writeRows(f, detail, rows, []float64{12, 18, 40, 20, 14, 8}); err != nil {
		return err
	}
	return f.Write(w)
}

// WriteDelegationXLSX writes a delegation's annual record: one row per
// deputy with the count of each type and the points.
func WriteDelegationXLSX(w io.Writer, rep model.DelegationRecord) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "代表团履职汇总"
	_ = f.SetSheetName("Sheet1", sheet)
	head := []any{"姓名"}
	widths := []float64{12}
	for _, t := range model.RecordTypes {
		head = append(head, t.Label)
		widths = append(widths, 12)
	}
	head = append(head, "合计次数", "积分", "待审核登记")
	widths = append(widths, 10, 8, 10)
	rows := [][]any{{fmt.Sprintf("%s %d 年度代表履职情况", rep.Delegation, rep.Year)}, head}
	for _, t := range append(slices.Clone(rep.Deputies), rep.Sum) {
		row := []any{t.Name}
		for _, l := range t.Lines {
			row = append(row, l.Count)
		}
		rows = append(rows, append(row, t.Count, t.Points, t.Pending))
	}
	if err := writeRows(f, sheet, rows, widths); err != nil {
		return err
	}
	return f.Write(w)
}

func writeRows(f *excelize.File, sheet string, rows [][]any, widths []float64) error {
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	for i, row := range rows {
		if len(row) == 0 {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	return nil
}
