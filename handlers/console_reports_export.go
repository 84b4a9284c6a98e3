package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/reports/export", editors, reportsExport)
}

// reportsExport downloads the report as Excel: the figures with their
// formulas, and for a year one row per month.
func reportsExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	p, err := s.reportPeriod(r)
	if err != nil {
		return err
	}
	v, _, err := s.reportView(r.Context(), p)
	if err != nil {
		return err
	}
	rows := make([][]string, 0, len(v.Lines)+len(v.Months)+2)
	for _, l := range v.Lines {
		rows = append(rows, []string{p.Label, l.Section, l.Label, l.Value, l.Formula})
	}
	if len(v.Months) > 0 {
		rows = append(rows, []string{}, []string{"月份", "推送通知", "推送人次", "学习人次", "邀请人次", "出席", "新交办建议", "满意度测评", "收到意见", "答卷"})
		for _, m := range v.Months {
			rows = append(rows, []string{m.Label, itoaInt(m.Notices), itoaInt(m.Deliveries), itoaInt(m.Studies), itoaInt(m.Invited),
				itoaInt(m.Attended), itoaInt(m.Suggestions), itoaInt(m.Ratings), itoaInt(m.Opinion), itoaInt(m.Responses)})
		}
	}
	name := fmt.Sprintf("工作报表-%s.xlsx", p.Key)
	s.audit(r, me, "report.export", "reports", "导出工作报表 "+p.Label)
	return sendSheet(w, name, "工作报表", []string{"期间", "类别", "指标", "数值", "计算方法"}, rows)
}

func itoaInt(n int) string { return fmt.Sprint(n) }
