package core

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// ReportLine is one figure of a report: a label, its value and how it is
// computed.
type ReportLine struct {
	Section, Label, Value, Formula string
}

// MonthLine is a yearly report's line for one month.
type MonthLine struct {
	Label                                   string
	Notices, Deliveries, Studies, Invited   int
	Attended, Suggestions, Ratings, Opinion int
	Responses                               int
}

// ReportSummary is a report as staff read it: its period, the figures
// with their formulas and, for a year, one line per month.
type ReportSummary struct {
	Period  Period
	PrevKey string // the period before, for a link
	Report  Report
	Lines   []ReportLine
	Months  []MonthLine
}

// pct writes a rate as a percentage with one decimal.
func pct(f float64) string { return fmt.Sprintf("%.1f%%", math.Round(f*1000)/10) }

// reportLines lays out a report's figures with their formulas.
func reportLines(rep Report) []ReportLine {
	n := strconv.Itoa
	return []ReportLine{
		{"推送", "推送通知", n(rep.Notices), "期内新建的通知条数"},
		{"推送", "推送人次", n(rep.DeliveriesTotal), "期内生成的送达记录（每位代表每条通知一条）"},
		{"推送", "送达率", pct(rep.ReachRate), fmt.Sprintf("（已送达 + 已阅读）÷ 应发人次（不含已取消）= %d ÷ %d", rep.Reached, rep.Due)},
		{"推送", "阅读率", pct(rep.ReadRate), fmt.Sprintf("已阅读 ÷ 应发人次 = %d ÷ %d", rep.Read, rep.Due)},
		{"学习", "发布学习材料", n(rep.Materials), "期内发布的学习材料"},
		{"学习", "学习人次", n(rep.Studies), "期内发布的材料在期末前被标记学习的次数"},
		{"学习", "参加学习代表", n(rep.Students), "至少学习一份期内材料的代表人数"},
		{"学习", "学习完成率", pct(rep.StudyRate), fmt.Sprintf("学习人次 ÷（材料数 × 已绑定微信的在任代表数）= %d ÷（%d × %d）", rep.Studies, rep.Materials, rep.BoundDeputies)},
		{"会议活动", "会议活动", n(rep.Meetings), "期内开始的会议和活动"},
		{"会议活动", "邀请人次", n(rep.Invited), "上述会议活动的邀请"},
		{"会议活动", "回执率", pct(rep.RSVPRate), fmt.Sprintf("已回复（参加或请假）÷ 邀请人次 = %d ÷ %d", rep.Answered, rep.Invited)},
		{"会议活动", "出席率", pct(rep.AttendanceRate), fmt.Sprintf("登记出席 ÷ 邀请人次 = %d ÷ %d", rep.Attended, rep.Invited)},
		{"建议", "新交办建议", n(rep.NewSuggestions), "期内录入交办的建议件数"},
		{"建议", "答复", n(rep.Replied), "期内答复的建议件数"},
		{"建议", "办结", n(rep.Concluded), "期内办结的建议件数"},
		{"建议", "满意度测评", n(rep.Ratings), "期内首次提交的测评份数"},
		{"建议", "期内满意率", pct(rep.SatisfactionRate), fmt.Sprintf("期内测评中“满意”“基本满意”份数 ÷ 期内测评份数 = %d ÷ %d", rep.Satisfied, rep.Ratings)},
		{"建议", "当面沟通占比", pct(rep.FaceShare), fmt.Sprintf("期内测评中“当面沟通”份数 ÷ 期内测评份数 = %d ÷ %d", rep.Face, rep.Ratings)},
		{"意见", "收到意见", n(rep.OpinionsTotal), "期内收到的代表意见"},
		{"意见", "答复意见", n(rep.OpinionsAnswered), "期内答复的代表意见"},
		{"问卷", "问卷", n(rep.Surveys), "期内开始的问卷"},
		{"问卷", "答卷", n(rep.Responses), "期内提交的答卷"},
	}
}

// SummaryAs returns the report of period key ("2026-11" or "2026"; this
// month when empty) for by; a key it cannot read is a field error keyed
// period.
func (r *Reports) SummaryAs(ctx context.Context, by Actor, key string) (ReportSummary, error) {
	var out ReportSummary
	if err := by.Require(Viewers...); err != nil {
		return out, err
	}
	if key == "" {
		key = r.env.now().In(r.Loc).Format("2006-01")
	}
	p, err := r.ParsePeriod(key)
	if err != nil {
		return out, &FieldError{Key: "period", Label: "统计期间", Value: key, Msg: "应为年月（如 2026-11）或年份（如 2026）"}
	}
	out.Period = p
	if p.Yearly {
		out.PrevKey = p.From.AddDate(-1, 0, 0).Format("2006")
	} else {
		out.PrevKey = p.From.AddDate(0, -1, 0).Format("2006-01")
	}
	if out.Report, err = r.Period(ctx, p.From, p.To); err != nil {
		return out, err
	}
	out.Lines = reportLines(out.Report)
	if !p.Yearly {
		return out, nil
	}
	for _, m := range p.Months() {
		mr, err := r.Period(ctx, m.From, m.To)
		if err != nil {
			return out, err
		}
		out.Months = append(out.Months, MonthLine{Label: m.Label, Notices: mr.Notices, Deliveries: mr.DeliveriesTotal,
			Studies: mr.Studies, Invited: mr.Invited, Attended: mr.Attended, Suggestions: mr.NewSuggestions,
			Ratings: mr.Ratings, Opinion: mr.OpinionsTotal, Responses: mr.Responses})
	}
	return out, nil
}

// ExportAs writes the report of period key to a workbook for by: the
// figures with their formulas and, for a year, one row per month;
// audited before the file is handed out.
func (r *Reports) ExportAs(ctx context.Context, by Actor, key string) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := r.env.tx(ctx, func(ctx context.Context) error {
		sum, err := r.SummaryAs(ctx, by, key)
		if err != nil {
			return err
		}
		p := sum.Period
		sh, err := newSheetWriter("工作报表", []sheetColumn{{"期间", 12}, {"类别", 10}, {"指标", 14}, {"数值", 10}, {"计算方法", 60}})
		if err != nil {
			return err
		}
		rows := make([][]string, 0, len(sum.Lines)+len(sum.Months)+2)
		for _, l := range sum.Lines {
			rows = append(rows, []string{p.Label, l.Section, l.Label, l.Value, l.Formula})
		}
		if len(sum.Months) > 0 {
			n := strconv.Itoa
			rows = append(rows, []string{}, []string{"月份", "推送通知", "推送人次", "学习人次", "邀请人次", "出席", "新交办建议", "满意度测评", "收到意见", "答卷"})
			for _, m := range sum.Months {
				rows = append(rows, []string{m.Label, n(m.Notices), n(m.Deliveries), n(m.Studies), n(m.Invited),
					n(m.Attended), n(m.Suggestions), n(m.Ratings), n(m.Opinion), n(m.Responses)})
			}
		}
		for _, row := range rows {
			if err := sh.add(excelize.RowOpts{}, row...); err != nil {
				_, _ = sh.bytes()
				return err
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("工作报表-%s.xlsx", p.Key)
		return r.env.audit(ctx, by, "report.export", "reports", "导出工作报表 "+p.Label)
	})
	return out, err
}
