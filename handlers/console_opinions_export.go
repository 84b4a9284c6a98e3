package handlers

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/opinions/export", editors, opinionExport) }

// opinionExport downloads the opinions matching the inbox's filters as Excel.
func opinionExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	q := parseOpinionQuery(r.URL.Query())
	q.Page = 1
	list, _, err := s.listOpinions(r.Context(), q, 0)
	if err != nil {
		return err
	}
	header := []string{"回执号", "代表", "类别", "法规草案", "条款", "意见内容", "状态", "渠道", "收到时间", "答复", "答复时间"}
	rows := make([][]string, 0, len(list))
	for _, o := range list {
		rows = append(rows, []string{o.Receipt, o.DeputyName, core.OpinionCategoryLabel(o.Category), o.SolicitationTitle,
			o.Article, o.Body, core.OpinionStatusLabel(o.Status), orDefault(channelLabels[o.Channel], o.Channel),
			s.fmtTime(o.CreatedAt), o.StaffReply, s.fmtTime(o.RepliedAt)})
	}
	name := fmt.Sprintf("代表意见-%s.xlsx", s.d.Now().In(s.d.Loc).Format("20060102-1504"))
	if err := sendSheet(w, name, "代表意见", header, rows); err != nil {
		return err
	}
	s.audit(r, me, "opinion.export", "opinions", fmt.Sprintf("导出代表意见 %d 条", len(list)))
	return nil
}
