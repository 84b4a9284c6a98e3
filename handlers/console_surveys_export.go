package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
	"strconv"
)

func init() { consoleRoute(http.MethodGet, "/admin/surveys/{id}/export", editors, surveyExport) }

// surveyExport downloads a survey's results as Excel: one line per option
// or score with its count and share, one line per free-text answer.
func surveyExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	res, err := s.surveyOfPath(r)
	if err != nil {
		return err
	}
	header := []string{"题号", "题目", "题型", "选项 / 回答", "人数", "比例"}
	var rows [][]string
	for _, qr := range res.Questions {
		v := questionResultOf(qr)
		n := "第" + strconv.Itoa(v.N) + "题"
		for _, o := range v.Rows {
			rows = append(rows, []string{n, v.Text, v.KindLabel, o.Label, strconv.Itoa(o.Count), o.Share})
		}
		if v.Average != "" {
			rows = append(rows, []string{n, v.Text, v.KindLabel, "平均分", v.Average, ""})
		}
		for _, t := range v.Texts {
			rows = append(rows, []string{n, v.Text, v.KindLabel, t, "", ""})
		}
		rows = append(rows, []string{n, v.Text, v.KindLabel, "作答人数", strconv.Itoa(v.Answered), ""})
	}
	name := fmt.Sprintf("问卷结果-%d-%s.xlsx", res.Survey.ID, s.d.Now().In(s.d.Loc).Format("20060102-1504"))
	if err := sendSheet(w, name, "问卷结果", header, rows); err != nil {
		return err
	}
	s.audit(r, me, "survey.export", fmt.Sprintf("survey/%d", res.Survey.ID), fmt.Sprintf("导出问卷《%s》结果（%d 份答卷）",
		res.Survey.Title, res.Responses))
	return nil
}
