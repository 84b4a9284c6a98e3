package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// What the routes not yet moved to handlers/console and handlers/api
// still share.

// apiDay formats a calendar date; "" for the zero time.
func apiDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// sendSheet writes one worksheet of text cells (header first, frozen) as
// an .xlsx download. It is built in memory, so a failure is an error
// response rather than a truncated file.
func sendSheet(w http.ResponseWriter, filename, sheet string, header []string, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("export: %w", err)
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
		return fmt.Errorf("export: %w", err)
	}
	for i, row := range rows {
		if err := sw.SetRow("A"+strconv.Itoa(i+2), cells(row, 0)); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", contentDisposition(filename))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = buf.WriteTo(w)
	return nil
}

// contentDisposition names a download (RFC 6266).
func contentDisposition(name string) string { return httpkit.ContentDisposition("attachment", name) }

// parseSmallForm reads a url-encoded form of at most 64 kB.
func parseSmallForm(w http.ResponseWriter, r *http.Request) bool { return httpkit.ParseSmallForm(w, r) }

// campaignOption is one choice of the notice kind select.
type campaignOption struct{ Value, Label string }

// campaignNoticeKinds lists the kinds staff choose from, in core's order.
func campaignNoticeKinds() []campaignOption {
	var out []campaignOption
	for _, k := range core.NoticeKinds() {
		out = append(out, campaignOption{k, model.KindLabels[k]})
	}
	return out
}
