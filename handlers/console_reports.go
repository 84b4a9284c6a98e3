package handlers

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/reports", viewers, reportsPage)
}

// reportLine is one figure of the report: a label, a value and how it is
// computed.
type reportLine struct {
	Section, Label, Value, Formula string
}

type reportView struct {
	Period   core.Period
	PrevKey  string
	Lines    []reportLine
	Months   []monthLine // a yearly report's month-by-month table
	Delivery chartData
	Monthly  chartData
	Opinions chartData
}

type monthLine struct {
	Label                                   string
	Notices, Deliveries, Studies, Invited   int
	Attended, Suggestions, Ratings, Opinion int
	Responses                               int
}

func (s *server) reports() *core.Reports { return core.NewReports(s.d.DB, s.d.Loc) }

// reportPeriod reads ?period=2026-11|2026; this month by default.
func (s *server) reportPeriod(r *http.Request) (core.Period, error) {
	key := cleanText(r.URL.Query().Get("period"))
	if key == "" {
		key = s.d.Now().In(s.d.Loc).Format("2006-01")
	}
	p, err := s.reports().ParsePeriod(key)
	if err != nil {
		return p, badRequest("统计期间应为年月（如 2026-11）或年份（如 2026）。")
	}
	return p, nil
}

// reportLines lays out a report's figures with their formulas.
func reportLines(rep core.Report) []reportLine {
	n := func(v int) string { return fmt.Sprint(v) }
	return []reportLine{
		{"推送", "推送通知", n(rep.Notices), "期内新建的通知条数"},
		{"推送", "推送人次", n(rep.DeliveriesTotal), "期内生成的送达记录（每位代表每条通知一条）"},
		{"推送", "送达率", pctText(rep.ReachRate), fmt.Sprintf("（已送达 + 已阅读）÷ 应发人次（不含已取消）= %d ÷ %d", rep.Reached, rep.Due)},
		{"推送", "阅读率", pctText(rep.ReadRate), fmt.Sprintf("已阅读 ÷ 应发人次 = %d ÷ %d", rep.Read, rep.Due)},
		{"学习", "发布学习材料", n(rep.Materials), "期内发布的学习材料"},
		{"学习", "学习人次", n(rep.Studies), "期内发布的材料在期末前被标记学习的次数"},
		{"学习", "参加学习代表", n(rep.Students), "至少学习一份期内材料的代表人数"},
		{"学习", "学习完成率", pctText(rep.StudyRate), fmt.Sprintf("学习人次 ÷（材料数 × 已绑定微信的在任代表数）= %d ÷（%d × %d）", rep.Studies, rep.Materials, rep.BoundDeputies)},
		{"会议活动", "会议活动", n(rep.Meetings), "期内开始的会议和活动"},
		{"会议活动", "邀请人次", n(rep.Invited), "上述会议活动的邀请"},
		{"会议活动", "回执率", pctText(rep.RSVPRate), fmt.Sprintf("已回复（参加或请假）÷ 邀请人次 = %d ÷ %d", rep.Answered, rep.Invited)},
		{"会议活动", "出席率", pctText(rep.AttendanceRate), fmt.Sprintf("登记出席 ÷ 邀请人次 = %d ÷ %d", rep.Attended, rep.Invited)},
		{"建议", "新交办建议", n(rep.NewSuggestions), "期内录入交办的建议件数"},
		{"建议", "答复", n(rep.Replied), "期内答复的建议件数"},
		{"建议", "办结", n(rep.Concluded), "期内办结的建议件数"},
		{"建议", "满意度测评", n(rep.Ratings), "期内首次提交的测评份数"},
		{"建议", "期内满意率", pctText(rep.SatisfactionRate), fmt.Sprintf("期内测评中“满意”“基本满意”份数 ÷ 期内测评份数 = %d ÷ %d", rep.Satisfied, rep.Ratings)},
		{"建议", "当面沟通占比", pctText(rep.FaceShare), fmt.Sprintf("期内测评中“当面沟通”份数 ÷ 期内测评份数 = %d ÷ %d", rep.Face, rep.Ratings)},
		{"意见", "收到意见", n(rep.OpinionsTotal), "期内收到的代表意见"},
		{"意见", "答复意见", n(rep.OpinionsAnswered), "期内答复的代表意见"},
		{"问卷", "问卷", n(rep.Surveys), "期内开始的问卷"},
		{"问卷", "答卷", n(rep.Responses), "期内提交的答卷"},
	}
}

func (s *server) reportView(ctx context.Context, p core.Period) (reportView, core.Report, error) {
	v := reportView{Period: p}
	if p.Yearly {
		v.PrevKey = p.From.AddDate(-1, 0, 0).Format("2006")
	} else {
		v.PrevKey = p.From.AddDate(0, -1, 0).Format("2006-01")
	}
	svc := s.reports()
	rep, err := svc.Period(ctx, p.From, p.To)
	if err != nil {
		return v, rep, err
	}
	v.Lines = reportLines(rep)
	v.Delivery = chartData{Kind: "pie", Series: []chartSeries{{Name: "推送人次"}}}
	for _, st := range model.DeliveryStates {
		if n := rep.Deliveries[st]; n > 0 {
			v.Delivery.Categories = append(v.Delivery.Categories, orDefault(model.DeliveryLabel(st), st))
			v.Delivery.Series[0].Data = append(v.Delivery.Series[0].Data, float64(n))
		}
	}
	v.Opinions = chartData{Kind: "bar", Categories: []string{}, Series: []chartSeries{{Name: "意见", Data: []float64{}}}}
	for _, c := range append(slices.Clone(core.OpinionCategoryChoices), core.Choice{Value: model.OpinionSolicitation, Label: "法规草案意见"}) {
		v.Opinions.Categories = append(v.Opinions.Categories, c.Label)
		v.Opinions.Series[0].Data = append(v.Opinions.Series[0].Data, float64(rep.Opinions[c.Value]))
	}
	if !p.Yearly {
		return v, rep, nil
	}
	v.Monthly = chartData{Kind: "bar", Categories: []string{}, Series: []chartSeries{{Name: "推送人次", Data: []float64{}},
		{Name: "学习人次", Data: []float64{}}, {Name: "新交办建议", Data: []float64{}}, {Name: "收到意见", Data: []float64{}}}}
	for _, m := range p.Months() {
		mr, err := svc.Period(ctx, m.From, m.To)
		if err != nil {
			return v, rep, err
		}
		v.Months = append(v.Months, monthLine{Label: m.Label, Notices: mr.Notices, Deliveries: mr.DeliveriesTotal,
			Studies: mr.Studies, Invited: mr.Invited, Attended: mr.Attended, Suggestions: mr.NewSuggestions,
			Ratings: mr.Ratings, Opinion: mr.OpinionsTotal, Responses: mr.Responses})
		v.Monthly.Categories = append(v.Monthly.Categories, m.Label)
		for i, x := range []int{mr.DeliveriesTotal, mr.Studies, mr.NewSuggestions, mr.OpinionsTotal} {
			v.Monthly.Series[i].Data = append(v.Monthly.Series[i].Data, float64(x))
		}
	}
	return v, rep, nil
}

// reportsPage is the monthly or yearly report of deputy work in
// deputybot's numbers, with charts and the formulas of its rates.
func reportsPage(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	p, err := s.reportPeriod(r)
	if err != nil {
		return err
	}
	v, _, err := s.reportView(r.Context(), p)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "reports", page{Title: "工作报表 · " + p.Label, Nav: "reports", Me: me, Data: v})
	return nil
}
