package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/suggestions/export", suggestionExporters, suggestionExport)
}

// suggestionExport downloads the suggestions matching the list's filters
// (a unit's own only) as Excel.
func suggestionExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	q := parseSuggestionQuery(r.URL.Query())
	q.Page = 1
	items, _, err := s.listSuggestions(r.Context(), me, q, 0)
	if err != nil {
		return err
	}
	header := []string{"建议编号", "标题", "届次", "领衔代表", "主办单位", "协办单位", "办理期限", "状态", "答复类别",
		"答复时间", "办结时间", "重新办理理由", "内容摘要"}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		rows = append(rows, []string{it.Number, it.Title, it.Session, it.LeadName, it.HostUnit, it.CoUnits,
			fmtDay(it.Deadline), core.SuggestionStatusLabel(it.Status), core.ReplyCategoryLabel(it.ReplyCategory),
			s.fmtTime(it.RepliedAt), s.fmtTime(it.ConcludedAt), it.RehandleReason, it.Summary})
	}
	name := fmt.Sprintf("代表建议-%s.xlsx", s.d.Now().In(s.d.Loc).Format("20060102-1504"))
	if err := sendSheet(w, name, "代表建议", header, rows); err != nil {
		return err
	}
	s.audit(r, me, "suggestion.export", "suggestions", fmt.Sprintf("导出代表建议 %d 件", len(items)))
	return nil
}

// sendSheet writes one worksheet of text cells (header first, frozen) as
// an .xlsx download. It is built in memory, so a failure is an error
// response rather than a truncated file.
func sendSheet(w http.ResponseWriter, filename, sheet string, header []string, rows [][]string) error {
	b, err := buildSheet(sheet, header, rows)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", contentDisposition(filename))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
	return nil
}

func buildSheet(sheet string, header []string, rows [][]string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	cells := func(vals []string, style int) []any {
		out := make([]any, len(vals))
		for i, v := range vals {
			// Text cells: a number like 0123 or 13800138000 stays as typed.
			out[i] = excelize.Cell{Value: v, StyleID: style}
		}
		return out
	}
	if err := sw.SetRow("A1", cells(header, bold)); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	for i, row := range rows {
		if err := sw.SetRow("A"+strconv.Itoa(i+2), cells(row, 0)); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return buf.Bytes(), nil
}
