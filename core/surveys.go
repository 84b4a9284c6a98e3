package core

import (
	"context"
	"deputybot/model"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/storage"
)

// Survey limits.
const (
	MaxSurveyQuestions = 50
	MinChoiceOptions   = 2
	MaxChoiceOptions   = 10
	ScaleMin, ScaleMax = 1, 5
	MaxTextAnswerRunes = 2000
)

// QuestionKindLabel returns a question kind's Chinese name.
func QuestionKindLabel(kind string) string {
	switch kind {
	case model.QuestionSingle:
		return "单选题"
	case model.QuestionMulti:
		return "多选题"
	case model.QuestionScale:
		return "打分题"
	case model.QuestionText:
		return "填空题"
	}
	return kind
}

// Surveys runs questionnaires (问卷) put to deputies.
type Surveys struct {
	db  *storage.DB
	now func() time.Time
	env *env // the transaction and audit of a deputy's answers
}

// NewSurveys returns the surveys service over db.
func NewSurveys(db *storage.DB) *Surveys { return &Surveys{db: db, now: time.Now, env: newEnv(db)} }

// SetClock replaces the clock that decides what is open (tests, and the
// bot's own clock, inject one).
func (s *Surveys) SetClock(now func() time.Time) { s.now = now }

// Create validates and stores a survey with its questions; a zero OpensAt
// means now. Choice questions need 2–10 distinct options; scale questions
// are scored 1–5 and, like text questions, take no options.
func (s *Surveys) Create(ctx context.Context, sv *model.Survey) error {
	if sv.OpensAt.IsZero() {
		sv.OpensAt = s.now()
	}
	errs := normalizeSurvey(sv)
	errs = append(errs, s.checkRemindOn(sv)...)
	if a := sv.AudienceOrAll(); !a.All {
		var err error
		if errs, err = s.env.checkInviteAudience(ctx, a, errs); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return errs
	}
	// The survey's audience is asked when it opens.
	notice := model.Notice{Kind: model.KindSurvey, Title: "问卷：" + sv.Title, RefKind: "survey",
		Body:   sv.Intro + "\n\n请于 " + sv.ClosesAt.Format("2006-01-02") + " 前填写：回复“问卷”即可作答。",
		Fields: map[string]string{"time": sv.ClosesAt.Format("2006-01-02") + "截止", "note": "回复“问卷”作答"}}
	return s.db.CreateSurvey(ctx, sv, model.Announcement{Notice: notice, Audience: sv.AudienceOrAll(), SendAt: sv.OpensAt})
}

func normalizeSurvey(sv *model.Survey) ValidationError {
	var errs ValidationError
	bad := func(field, value, msg string) { errs = append(errs, &FieldError{Label: field, Value: value, Msg: msg}) }
	sv.Title = strings.TrimSpace(sv.Title)
	switch n := utf8.RuneCountInString(sv.Title); {
	case n == 0:
		bad("标题", "", "不能为空")
	case n > 200:
		bad("标题", "", "过长（最多 200 字）")
	}
	sv.Intro = strings.TrimSpace(sv.Intro)
	if utf8.RuneCountInString(sv.Intro) > 2000 {
		bad("说明", "", "过长（最多 2000 字）")
	}
	if !sv.ClosesAt.After(sv.OpensAt) {
		bad("截止时间", "", "应晚于开始时间")
	}
	switch n := len(sv.Questions); {
	case n == 0:
		bad("题目", "", "至少需要一道题")
	case n > MaxSurveyQuestions:
		bad("题目", "", fmt.Sprintf("过多（最多 %d 道，现有 %d 道）", MaxSurveyQuestions, n))
	}
	for i := range sv.Questions {
		errs = append(errs, normalizeQuestion(i+1, &sv.Questions[i])...)
	}
	return errs
}

func normalizeQuestion(pos int, q *model.SurveyQuestion) ValidationError {
	var errs ValidationError
	field := fmt.Sprintf("第%d题", pos)
	bad := func(value, msg string) { errs = append(errs, &FieldError{Label: field, Value: value, Msg: msg}) }
	q.Text = strings.TrimSpace(q.Text)
	switch n := utf8.RuneCountInString(q.Text); {
	case n == 0:
		bad("", "题目不能为空")
	case n > 500:
		bad("", "题目过长（最多 500 字）")
	}
	switch q.Kind {
	case model.QuestionSingle, model.QuestionMulti:
		opts := make([]string, 0, len(q.Options))
		for _, o := range q.Options {
			o = strings.TrimSpace(o)
			switch {
			case o == "":
				continue
			case utf8.RuneCountInString(o) > 100:
				bad(o, "选项过长（每项最多 100 字）")
			case slices.Contains(opts, o):
				bad(o, "选项重复")
			}
			opts = append(opts, o)
		}
		if n := len(opts); n < MinChoiceOptions || n > MaxChoiceOptions {
			bad("", fmt.Sprintf("%s需要 %d–%d 个选项（现有 %d 个）", QuestionKindLabel(q.Kind), MinChoiceOptions, MaxChoiceOptions, n))
		}
		q.Options = opts
	case model.QuestionScale, model.QuestionText:
		if len(q.Options) > 0 {
			if q.Kind == model.QuestionScale {
				bad("", fmt.Sprintf("打分题固定为 %d–%d 分，不需要选项", ScaleMin, ScaleMax))
			} else {
				bad("", "填空题不需要选项")
			}
		}
	default:
		bad(q.Kind, "题型应为 单选、多选、打分 或 填空")
	}
	return errs
}

// ParseSurveyAnswer checks a deputy's answer to q as typed and returns it
// as stored: a choice is the 1-based number of an option ("2"), several
// choices are numbers separated by commas, 、 or spaces ("1,3", stored in
// ascending order), a scale answer is a score 1–5, a text answer is at
// most 2,000 characters. Full-width digits are accepted. An empty answer
// returns "" and no error: whether the question must be answered is the
// caller's rule. The error is a *FieldError in Chinese, fit for a
// re-prompt.
func ParseSurveyAnswer(q model.SurveyQuestion, raw string) (string, error) {
	field := fmt.Sprintf("第%d题", q.Position)
	if q.Kind == model.QuestionText {
		v := strings.TrimSpace(raw)
		if n := utf8.RuneCountInString(v); n > MaxTextAnswerRunes {
			return "", &FieldError{Label: field, Msg: fmt.Sprintf("回答过长（最多 %d 字，现有 %d 字）", MaxTextAnswerRunes, n)}
		}
		return v, nil
	}
	v := strings.TrimSpace(halfwidthDigits(raw))
	if v == "" {
		return "", nil
	}
	switch q.Kind {
	case model.QuestionSingle:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > len(q.Options) {
			return "", &FieldError{Label: field, Value: v, Msg: fmt.Sprintf("请回复 1–%d 中的一个序号", len(q.Options))}
		}
		return strconv.Itoa(n), nil
	case model.QuestionMulti:
		return parseMulti(field, v, len(q.Options))
	case model.QuestionScale:
		n, err := strconv.Atoi(v)
		if err != nil || n < ScaleMin || n > ScaleMax {
			return "", &FieldError{Label: field, Value: v, Msg: fmt.Sprintf("请回复 %d–%d 之间的分数", ScaleMin, ScaleMax)}
		}
		return strconv.Itoa(n), nil
	}
	return "", fmt.Errorf("core: question %d has unknown kind %q", q.ID, q.Kind)
}

func parseMulti(field, v string, options int) (string, error) {
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '、' || r == ' ' || r == '　' })
	var picked []int
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > options {
			return "", &FieldError{Label: field, Value: v, Msg: fmt.Sprintf("请回复 1–%d 中的序号，多个用逗号隔开", options)}
		}
		if slices.Contains(picked, n) {
			return "", &FieldError{Label: field, Value: v, Msg: fmt.Sprintf("序号 %d 重复了", n)}
		}
		picked = append(picked, n)
	}
	if len(picked) == 0 {
		return "", nil
	}
	slices.Sort(picked)
	out := make([]string, len(picked))
	for i, n := range picked {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ","), nil
}

// Submit validates a deputy's answers (keyed by question id) against the
// survey's questions and stores them: every required question answered,
// choices in range, multiple choices distinct, scores 1–5, texts at most
// 2,000 characters. A named survey's response can be revised (revised is
// true) until the survey closes; after that, or before it opens, the
// answer is ErrSurveyClosed. An anonymous survey takes one response per
// deputy (then ErrAlreadyAnswered) and stores it without the deputy's
// identity.
func (s *Surveys) Submit(ctx context.Context, surveyID, deputyID int64, answers map[int64]string) (revised bool, err error) {
	sv, err := s.db.GetSurvey(ctx, surveyID)
	if err != nil {
		return false, err
	}
	if !sv.OpenAt(s.now()) {
		return false, fmt.Errorf("core: survey %d: %w", surveyID, model.ErrSurveyClosed)
	}
	stored, errs := checkAnswers(sv, answers)
	if len(errs) > 0 {
		return false, errs
	}
	return s.db.SubmitSurveyResponse(ctx, surveyID, deputyID, stored)
}

func checkAnswers(sv model.Survey, answers map[int64]string) ([]model.SurveyAnswer, ValidationError) {
	var errs ValidationError
	asked := make(map[int64]bool, len(sv.Questions))
	var stored []model.SurveyAnswer
	for _, q := range sv.Questions {
		asked[q.ID] = true
		v, err := ParseSurveyAnswer(q, answers[q.ID])
		switch {
		case err != nil:
			var fe *FieldError
			if !errors.As(err, &fe) {
				fe = &FieldError{Label: fmt.Sprintf("第%d题", q.Position), Msg: "无法识别的题型"}
			}
			errs = append(errs, fe)
		case v == "" && !q.Optional:
			errs = append(errs, &FieldError{Label: fmt.Sprintf("第%d题", q.Position), Msg: "必答，请作答"})
		case v != "":
			stored = append(stored, model.SurveyAnswer{QuestionID: q.ID, Value: v})
		}
	}
	var stray []int64
	for id := range answers {
		if !asked[id] {
			stray = append(stray, id)
		}
	}
	slices.Sort(stray)
	for _, id := range stray {
		errs = append(errs, &FieldError{Key: "questions", Label: "题目", Value: strconv.FormatInt(id, 10), Msg: "不是本问卷的题目"})
	}
	return stored, errs
}

// Get returns a survey with its questions.
func (s *Surveys) Get(ctx context.Context, id int64) (model.Survey, error) {
	return s.db.GetSurvey(ctx, id)
}

// List returns every survey without questions, the latest opening first.
func (s *Surveys) List(ctx context.Context) ([]model.Survey, error) { return s.db.ListSurveys(ctx) }

// OpenFor returns the surveys open now that ask the deputy and that they
// have not answered, the one closing soonest first.
func (s *Surveys) OpenFor(ctx context.Context, deputyID int64) ([]model.Survey, error) {
	open, err := s.db.OpenSurveysFor(ctx, deputyID, s.now())
	if err != nil {
		return nil, err
	}
	return s.askingOnly(ctx, open, deputyID)
}

// askingOnly keeps the surveys whose audience includes the deputy.
func (s *Surveys) askingOnly(ctx context.Context, svs []model.Survey, deputyID int64) ([]model.Survey, error) {
	out := svs[:0:0]
	for _, sv := range svs {
		ok, err := s.db.InSurveyAudience(ctx, sv, deputyID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, sv)
		}
	}
	return out, nil
}

// maxSurveyReminders bounds the reminder days of a survey.
const maxSurveyReminders = 3

// checkRemindOn checks the reminder days: at most three, distinct dates
// from the opening day to the day before the close, put in order.
func (s *Surveys) checkRemindOn(sv *model.Survey) ValidationError {
	var days []string
	for _, d := range sv.RemindOn {
		if d = strings.TrimSpace(d); d != "" && !slices.Contains(days, d) {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	sv.RemindOn = days
	bad := func(v, msg string) ValidationError {
		return ValidationError{&FieldError{Key: "remind_on", Label: "提醒日期", Value: v, Msg: msg}}
	}
	if len(days) > maxSurveyReminders {
		return bad("", fmt.Sprintf("最多设 %d 次提醒", maxSurveyReminders))
	}
	if len(days) == 0 {
		return nil
	}
	loc := s.env.loc
	if loc == nil {
		loc = time.UTC
	}
	first, last := sv.OpensAt.In(loc).Format(time.DateOnly), sv.ClosesAt.In(loc).Format(time.DateOnly)
	for _, d := range days {
		if _, err := time.ParseInLocation(time.DateOnly, d, loc); err != nil {
			return bad(d, "请填写日期，如 2026-03-05")
		}
		if d < first || d >= last {
			return bad(d, fmt.Sprintf("应在问卷开始（%s）到截止前一天之间", first))
		}
	}
	return nil
}

// HasAnswered reports whether the deputy has answered the survey.
// AnswersOf returns the deputy's answers to a named survey by question
// id (a multiple choice as "1,3"); none for an anonymous survey, whose
// responses carry no identity.
func (s *Surveys) AnswersOf(ctx context.Context, surveyID, deputyID int64) (map[int64]string, error) {
	return s.db.SurveyAnswersOf(ctx, surveyID, deputyID)
}

func (s *Surveys) HasAnswered(ctx context.Context, surveyID, deputyID int64) (bool, error) {
	return s.db.HasAnswered(ctx, surveyID, deputyID)
}

// Results sums up a survey's responses question by question.
func (s *Surveys) Results(ctx context.Context, surveyID int64) (model.SurveyResults, error) {
	return s.db.SurveyResults(ctx, surveyID)
}
