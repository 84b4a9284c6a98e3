package console

import (
	"net/http"
	"slices"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type reportView struct {
	core.ReportSummary
	Delivery chart
	Monthly  chart
	Opinions chart
}

// reportsPage is the monthly or yearly report of deputy work in
// deputybot's numbers, with charts and the formulas of its rates.
func reportsPage(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	sum, err := s.core.Reports.SummaryAs(r.Context(), by, r.URL.Query().Get("period"))
	if verr, ok := core.Fields(err); ok {
		return badInput("统计期间" + verr[0].Msg + "。")
	} else if err != nil {
		return err
	}
	rep := sum.Report
	v := reportView{ReportSummary: sum}
	v.Delivery = chart{Kind: "pie", Series: []chartSeries{{Name: "推送人次"}}}
	for _, st := range model.DeliveryStates {
		if n := rep.Deliveries[st]; n > 0 {
			v.Delivery.Categories = append(v.Delivery.Categories, orDefault(model.DeliveryLabel(st), st))
			v.Delivery.Series[0].Data = append(v.Delivery.Series[0].Data, float64(n))
		}
	}
	v.Opinions = chart{Kind: "bar", Categories: []string{}, Series: []chartSeries{{Name: "意见", Data: []float64{}}}}
	for _, c := range append(slices.Clone(core.OpinionCategoryChoices), core.Choice{Value: model.OpinionSolicitation, Label: "法规草案意见"}) {
		v.Opinions.Categories = append(v.Opinions.Categories, c.Label)
		v.Opinions.Series[0].Data = append(v.Opinions.Series[0].Data, float64(rep.Opinions[c.Value]))
	}
	if len(sum.Months) > 0 {
		v.Monthly = chart{Kind: "bar", Categories: []string{}, Series: []chartSeries{{Name: "推送人次", Data: []float64{}},
			{Name: "学习人次", Data: []float64{}}, {Name: "新交办建议", Data: []float64{}}, {Name: "收到意见", Data: []float64{}}}}
		for _, m := range sum.Months {
			v.Monthly.Categories = append(v.Monthly.Categories, m.Label)
			for i, x := range []int{m.Deliveries, m.Studies, m.Suggestions, m.Opinion} {
				v.Monthly.Series[i].Data = append(v.Monthly.Series[i].Data, float64(x))
			}
		}
	}
	s.render(w, r, http.StatusOK, "reports", page{Title: "工作报表 · " + sum.Period.Label, Nav: "reports", Me: by.Account, Data: v})
	return nil
}

// reportsExport downloads the report as Excel.
func reportsExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Reports.ExportAs(r.Context(), by, r.URL.Query().Get("period"))
	if verr, ok := core.Fields(err); ok {
		return badInput("统计期间" + verr[0].Msg + "。")
	} else if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
