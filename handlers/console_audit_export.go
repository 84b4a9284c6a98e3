package handlers

import (
	"bytes"
	"deputybot/model"
	"fmt"
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"
)

func init() { consoleRoute(http.MethodGet, "/admin/audit/export", admins, auditExport) }

// auditExportPage is how many entries are read at a time.
const auditExportPage = 1000

// auditExport downloads the (filtered) audit log as Excel, newest first.
func auditExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	f, _ := auditFilter(r.URL.Query())
	x := excelize.NewFile()
	defer x.Close()
	sheet := "审计日志"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"时间", "操作人", "操作", "对象", "内容"}); err != nil {
		return err
	}
	row := 2
	f.Limit = auditExportPage
	for {
		entries, _, err := s.staff.AuditLog(r.Context(), f)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := sw.SetRow("A"+strconv.Itoa(row), []any{s.fmtTime(e.At), e.StaffName, e.Action, e.Object, e.Summary}); err != nil {
				return err
			}
			row++
		}
		if len(entries) < auditExportPage {
			break
		}
		f.BeforeID = entries[len(entries)-1].ID
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return err
	}
	s.audit(r, me, "audit.export", "audit_log", fmt.Sprintf("导出审计日志 %d 条", row-2))
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", contentDisposition("审计日志-"+s.d.Now().In(s.d.Loc).Format("20060102-1504")+".xlsx"))
	_, _ = buf.WriteTo(w)
	return nil
}
