package core

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
)

var questionLabel = regexp.MustCompile(`^第(\d+)题$`)

// surveyKey is the field key of a survey's Chinese label: title, intro,
// opens_at, closes_at, questions, and questions[N-1] for 第N题.
func surveyKey(label string) string {
	if m := questionLabel.FindStringSubmatch(label); m != nil {
		n, _ := strconv.Atoi(m[1])
		return fmt.Sprintf("questions[%d]", n-1)
	}
	return map[string]string{"标题": "title", "说明": "intro", "开始时间": "opens_at", "截止时间": "closes_at", "题目": "questions"}[label]
}

// SurveysAs returns every survey without questions, the latest opening
// first.
func (s *Surveys) SurveysAs(ctx context.Context, by Actor) ([]model.Survey, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	return s.db.ListSurveys(ctx)
}

// CreateAs puts a survey to deputies as by: validated (keys title, intro,
// opens_at, closes_at, questions, questions[i]), stored with its
// announcement to every deputy in office when it opens, and audited, in
// one transaction.
func (s *Surveys) CreateAs(ctx context.Context, by Actor, sv *model.Survey) error {
	if err := by.Require(Editors...); err != nil {
		return err
	}
	return s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.Create(ctx, sv); err != nil {
			if verr, ok := Fields(err); ok {
				for _, e := range verr {
					if e.Key == "" {
						e.Key = surveyKey(e.Label)
					}
				}
				return verr
			}
			return err
		}
		return s.env.audit(ctx, by, "survey.create", fmt.Sprintf("survey/%d", sv.ID), fmt.Sprintf("新建问卷《%s》，%d 道题，截止 %s",
			sv.Title, len(sv.Questions), sv.ClosesAt.In(s.env.loc).Format("2006-01-02 15:04")))
	})
}

// ResultsAs sums up a survey's responses question by question.
func (s *Surveys) ResultsAs(ctx context.Context, by Actor, id int64) (model.SurveyResults, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.SurveyResults{}, err
	}
	return s.db.SurveyResults(ctx, id)
}

// OptionCount is how many answered a choice question with one option, or
// a scale question with one score; Share is of those who answered the
// question, -1 when nobody did.
type OptionCount struct {
	Label string
	Count int
	Share float64
}

// Tally is one question's results as people read them: a line per option
// or score (none for a text question) and, for a scale, the average.
func Tally(qr model.QuestionResult) (rows []OptionCount, average string) {
	q := qr.Question
	var labels []string
	switch q.Kind {
	case model.QuestionSingle, model.QuestionMulti:
		labels = q.Options
	case model.QuestionScale:
		for i := ScaleMin; i <= ScaleMax; i++ {
			labels = append(labels, strconv.Itoa(i)+" 分")
		}
		if qr.Answered > 0 {
			average = fmt.Sprintf("%.2f", qr.Average)
		}
	}
	for i, l := range labels {
		n := 0
		if i < len(qr.Counts) {
			n = qr.Counts[i]
		}
		share := -1.0
		if qr.Answered > 0 {
			share = float64(n) / float64(qr.Answered)
		}
		rows = append(rows, OptionCount{Label: l, Count: n, Share: share})
	}
	return rows, average
}

// ShareText writes a share as staff read it: 33.3%, or — when nobody
// answered.
func ShareText(share float64) string {
	if share < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", share*100)
}

// ExportResultsAs writes a survey's results to a workbook for by: a line
// per option or score with its count and share, a line per free-text
// answer, and how many answered each question; then a sheet with a row
// per response (the deputy and time for a named survey); audited before
// the file is handed out.
func (s *Surveys) ExportResultsAs(ctx context.Context, by Actor, id int64) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.env.tx(ctx, func(ctx context.Context) error {
		res, err := s.db.SurveyResults(ctx, id)
		if err != nil {
			return err
		}
		sh, err := newSheetWriter("问卷结果", []sheetColumn{{"题号", 8}, {"题目", 40}, {"题型", 10},
			{"选项 / 回答", 40}, {"人数", 8}, {"比例", 10}})
		if err != nil {
			return err
		}
		for _, qr := range res.Questions {
			q := qr.Question
			n, kind := "第"+strconv.Itoa(q.Position)+"题", QuestionKindLabel(q.Kind)
			rows, avg := Tally(qr)
			var lines [][]string
			for _, o := range rows {
				lines = append(lines, []string{n, q.Text, kind, o.Label, strconv.Itoa(o.Count), ShareText(o.Share)})
			}
			if avg != "" {
				lines = append(lines, []string{n, q.Text, kind, "平均分", avg, ""})
			}
			for _, t := range qr.Texts {
				lines = append(lines, []string{n, q.Text, kind, t, "", ""})
			}
			lines = append(lines, []string{n, q.Text, kind, "作答人数", strconv.Itoa(qr.Answered), ""})
			for _, l := range lines {
				if err := sh.add(excelize.RowOpts{}, l...); err != nil {
					_, _ = sh.bytes()
					return err
				}
			}
		}
		if err := s.responseSheet(ctx, sh, res.Survey); err != nil {
			_, _ = sh.bytes()
			return err
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("问卷结果-%d-%s.xlsx", res.Survey.ID, s.env.now().In(s.env.loc).Format("20060102-1504"))
		return s.env.audit(ctx, by, "survey.export", fmt.Sprintf("survey/%d", res.Survey.ID),
			fmt.Sprintf("导出问卷《%s》结果（%d 份答卷）", res.Survey.Title, res.Responses))
	})
	return out, err
}

// DelegationTurnout is how many of a delegation a survey asks and how many
// of them answered.
type DelegationTurnout struct {
	Delegation        string
	Invited, Answered int
}

// Rate is the share who answered, as 42.9%; "—" when nobody was asked.
func (d DelegationTurnout) Rate() string { return rateText(d.Answered, d.Invited) }

// SurveyTurnout is a survey's response rate against those it asks: in all
// and by delegation, and, for a named survey, who has and has not answered.
type SurveyTurnout struct {
	Invited, Answered int
	ByDelegation      []DelegationTurnout
	// Answerers and Waiting list the deputies asked who have and have not
	// answered; both nil for an anonymous survey.
	Answerers, Waiting []model.SurveyInvitee
	// Outside counts responses from deputies no longer in the audience
	// (the audience is read as of now).
	Outside int
}

// Rate is the overall share who answered.
func (t SurveyTurnout) Rate() string { return rateText(t.Answered, t.Invited) }

func rateText(n, of int) string {
	if of == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(n)*100/float64(of), 'f', 1, 64) + "%"
}

// TurnoutAs is the survey's response rate against the deputies it asks.
func (s *Surveys) TurnoutAs(ctx context.Context, by Actor, id int64) (SurveyTurnout, error) {
	if err := by.Require(Viewers...); err != nil {
		return SurveyTurnout{}, err
	}
	sv, err := s.db.GetSurvey(ctx, id)
	if err != nil {
		return SurveyTurnout{}, err
	}
	inv, err := s.db.SurveyInvitees(ctx, sv)
	if err != nil {
		return SurveyTurnout{}, err
	}
	var t SurveyTurnout
	idx := map[string]int{}
	for _, d := range inv {
		i, ok := idx[d.Delegation]
		if !ok {
			i = len(t.ByDelegation)
			idx[d.Delegation] = i
			t.ByDelegation = append(t.ByDelegation, DelegationTurnout{Delegation: d.Delegation})
		}
		t.Invited++
		t.ByDelegation[i].Invited++
		if d.Answered {
			t.Answered++
			t.ByDelegation[i].Answered++
		}
		if sv.Anonymous {
			continue
		}
		if d.Answered {
			t.Answerers = append(t.Answerers, d)
		} else {
			t.Waiting = append(t.Waiting, d)
		}
	}
	t.Outside = max(sv.Responses-t.Answered, 0)
	return t, nil
}

// responseSheet adds the sheet 答卷明细: a row per response, a column per
// question, each answer as the deputy chose it (options by their text).
func (s *Surveys) responseSheet(ctx context.Context, sh *sheetWriter, sv model.Survey) error {
	rows, err := s.db.SurveyResponseRows(ctx, sv.ID)
	if err != nil {
		return err
	}
	cols := []sheetColumn{{"序号", 8}}
	if !sv.Anonymous {
		cols = append(cols, sheetColumn{"代表", 10}, sheetColumn{"代表团", 16}, sheetColumn{"提交时间", 18})
	}
	for _, q := range sv.Questions {
		cols = append(cols, sheetColumn{fmt.Sprintf("%d. %s", q.Position, q.Text), 24})
	}
	if err := sh.nextSheet("答卷明细", cols); err != nil {
		return err
	}
	for i, r := range rows {
		line := []string{strconv.Itoa(i + 1)}
		if !sv.Anonymous {
			line = append(line, r.DeputyName, r.Delegation, r.SubmittedAt.In(s.env.loc).Format("2006-01-02 15:04"))
		}
		for _, q := range sv.Questions {
			line = append(line, answerText(q, r.Answers[q.ID]))
		}
		if err := sh.add(excelize.RowOpts{}, line...); err != nil {
			return err
		}
	}
	return nil
}

// answerText reads a stored answer: options by their text (a multiple
// choice joined by 、), a score as 4 分, a text as written.
func answerText(q model.SurveyQuestion, v string) string {
	if v == "" {
		return ""
	}
	switch q.Kind {
	case model.QuestionSingle, model.QuestionMulti:
		var parts []string
		for _, p := range strings.Split(v, ",") {
			if n, err := strconv.Atoi(p); err == nil && n >= 1 && n <= len(q.Options) {
				parts = append(parts, q.Options[n-1])
			}
		}
		return strings.Join(parts, "、")
	case model.QuestionScale:
		return v + " 分"
	}
	return v
}
