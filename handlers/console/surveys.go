package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// surveyRow is one line of the survey list.
type surveyRow struct {
	model.Survey
	State string // 未开始, 进行中, 已截止
}

type surveysView struct {
	Rows      []surveyRow
	CanCreate bool
}

func surveysList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	list, err := s.core.Surveys.SurveysAs(r.Context(), by)
	if err != nil {
		return err
	}
	v := surveysView{CanCreate: slices.Contains(core.Editors, by.Role())}
	now := s.core.Now()
	for _, sv := range list {
		v.Rows = append(v.Rows, surveyRow{Survey: sv, State: core.WindowState(now, sv.OpensAt, sv.ClosesAt)})
	}
	s.render(w, r, http.StatusOK, "surveys", page{Title: "问卷调查", Nav: "surveys", Me: by.Account, Data: v})
	return nil
}

// Question kinds in the order the form offers them.
var questionKindChoices = []core.Choice{
	{Value: model.QuestionSingle, Label: "单选题"}, {Value: model.QuestionMulti, Label: "多选题"},
	{Value: model.QuestionScale, Label: "打分题（1–5 分）"}, {Value: model.QuestionText, Label: "填空题"},
}

// surveyReminderInputs is how many reminder days the form offers.
const surveyReminderInputs = 3

// Blank question blocks on the form: how many a new form shows, and at most.
const (
	blankQuestions = 5
	maxFormBlocks  = core.MaxSurveyQuestions + 10
)

// surveyForm is the create form, as typed.
type surveyForm struct {
	Title, Intro      string
	Anonymous         bool
	OpensAt, ClosesAt string // datetime-local, in the console's zone
	Questions         []questionForm
	Aud               audienceForm // whom the survey asks
	RemindOn          []string     // up to three reminder days, 2006-01-02
}

type questionForm struct {
	N                   int    // 1-based, as shown and as core numbers errors
	Key                 string // core's key of its errors: questions[N-1]
	Kind, Text, Options string
	Optional            bool
}

func (q questionForm) blank() bool {
	return strings.TrimSpace(q.Text) == "" && strings.TrimSpace(q.Options) == ""
}

func (f *surveyForm) add(q questionForm) {
	q.N = len(f.Questions) + 1
	q.Key = fmt.Sprintf("questions[%d]", q.N-1)
	f.Questions = append(f.Questions, q)
}

// parseSurveyForm reads the form's fields; question blocks left blank are
// dropped, the rest renumbered, so core's 第N题 matches the page.
func parseSurveyForm(v url.Values) surveyForm {
	f := surveyForm{Title: v.Get("title"), Intro: v.Get("intro"), Anonymous: v.Get("anonymous") != "",
		OpensAt: strings.TrimSpace(v.Get("opens_at")), ClosesAt: strings.TrimSpace(v.Get("closes_at")),
		Aud: parseAudienceForm(v), RemindOn: make([]string, surveyReminderInputs)}
	for i, d := range v["remind_on"] {
		if i < surveyReminderInputs {
			f.RemindOn[i] = strings.TrimSpace(d)
		}
	}
	for i := 1; i <= maxFormBlocks; i++ {
		p := "q" + strconv.Itoa(i) + "_"
		q := questionForm{Kind: v.Get(p + "kind"), Text: v.Get(p + "text"), Options: v.Get(p + "options"),
			Optional: v.Get(p+"optional") != ""}
		if !q.blank() {
			f.add(q)
		}
	}
	return f
}

// withBlanks adds blank question blocks up to n more.
func (f surveyForm) withBlanks(n int) surveyForm {
	for range n {
		if len(f.Questions) >= maxFormBlocks {
			break
		}
		f.add(questionForm{Kind: model.QuestionSingle})
	}
	return f
}

// survey turns the form into a survey, with the problems of its times.
func (f surveyForm) survey(loc *time.Location) (model.Survey, core.ValidationError) {
	sv := model.Survey{Title: f.Title, Intro: f.Intro, Anonymous: f.Anonymous}
	var errs core.ValidationError
	parse := func(key, label, v string, dst *time.Time) {
		if v == "" {
			return
		}
		t, err := parseLocalTime(v, loc)
		if err != nil {
			errs = append(errs, &core.FieldError{Key: key, Label: label, Value: v, Msg: "格式应为 2026-03-31 18:00"})
			return
		}
		*dst = t
	}
	parse("opens_at", "开始时间", f.OpensAt, &sv.OpensAt)
	parse("closes_at", "截止时间", f.ClosesAt, &sv.ClosesAt)
	a, err := f.Aud.audience()
	if fe, ok := err.(*core.FieldError); ok {
		errs = append(errs, fe)
	}
	sv.Audience = a
	for _, d := range f.RemindOn {
		if d != "" {
			sv.RemindOn = append(sv.RemindOn, d)
		}
	}
	for _, q := range f.Questions {
		sq := model.SurveyQuestion{Kind: q.Kind, Text: q.Text, Optional: q.Optional}
		if strings.TrimSpace(q.Options) != "" {
			sq.Options = lines(q.Options) // core says when a kind needs none
		}
		sv.Questions = append(sv.Questions, sq)
	}
	return sv, errs
}

type surveyFormView struct {
	Form        surveyForm
	Errors      fieldErrors
	Kinds       []core.Choice
	Delegations []string
	Tags        []string
	Reminders   []reminderInput
}

// reminderInput is one of the form's reminder days.
type reminderInput struct {
	N   int
	Day string
}

func (s *server) renderSurveyForm(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v surveyFormView) error {
	v.Kinds = questionKindChoices
	var err error
	if v.Delegations, v.Tags, err = s.core.Meetings.AudienceChoices(r.Context(), by); err != nil {
		return err
	}
	for len(v.Form.RemindOn) < surveyReminderInputs {
		v.Form.RemindOn = append(v.Form.RemindOn, "")
	}
	for i, d := range v.Form.RemindOn {
		v.Reminders = append(v.Reminders, reminderInput{N: i + 1, Day: d})
	}
	s.render(w, r, status, "survey_form", page{Title: "新建问卷", Nav: "surveys", Me: by.Account, Data: v})
	return nil
}

func surveyNew(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	now := s.core.Now().In(s.core.Location())
	f := surveyForm{ClosesAt: now.AddDate(0, 0, 14).Format("2006-01-02") + "T18:00", Aud: audienceForm{All: true}}
	return s.renderSurveyForm(w, r, by, http.StatusOK, surveyFormView{Form: f.withBlanks(blankQuestions)})
}

// surveyCreate stores the survey; core announces it to every deputy in
// office when it opens. "更多题目" shows the form again with more blocks.
func surveyCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	f := parseSurveyForm(r.PostForm)
	if r.PostFormValue("more") != "" {
		return s.renderSurveyForm(w, r, by, http.StatusOK, surveyFormView{Form: f.withBlanks(blankQuestions)})
	}
	sv, pre := f.survey(s.core.Location())
	var err error
	if len(pre) > 0 {
		err = pre // a time the picker would not produce: rare, shown alone
	} else {
		err = s.core.Surveys.CreateAs(r.Context(), by, &sv)
	}
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderSurveyForm(w, r, by, http.StatusUnprocessableEntity, surveyFormView{Form: f.withBlanks(1), Errors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, "已新建问卷，开始时将推送给所选代表。")
	http.Redirect(w, r, fmt.Sprintf("/admin/surveys/%d", sv.ID), http.StatusSeeOther)
	return nil
}

// surveyResultsView is a survey's results: per choice or scale question a
// chart and a table of counts, per text question the answers.
type surveyResultsView struct {
	S         model.Survey
	State     string
	Intro     []string
	Responses int
	Questions []questionResultView
	CanExport bool
	Turnout   core.SurveyTurnout
	Audience  string   // whom it asks, in words
	RemindOn  []string // its reminder days
}

type questionResultView struct {
	N         int
	Text      string
	KindLabel string
	Optional  bool
	Answered  int
	ChartID   string
	Chart     *chart
	Rows      []optionCount
	Average   string
	Texts     []string
}

type optionCount struct {
	Label string
	Count int
	Share string // of the responses that answered the question
}

func questionResultOf(qr model.QuestionResult) questionResultView {
	q := qr.Question
	v := questionResultView{N: q.Position, Text: q.Text, KindLabel: core.QuestionKindLabel(q.Kind), Optional: q.Optional,
		Answered: qr.Answered, Texts: qr.Texts}
	rows, avg := core.Tally(qr)
	if q.Kind == model.QuestionText {
		return v
	}
	v.Average = avg
	c := chart{Kind: "hbar", Categories: []string{}, Series: []chartSeries{{Name: "人数", Data: []float64{}}}}
	if q.Kind == model.QuestionScale {
		c.Kind = "bar"
	}
	for _, o := range rows {
		v.Rows = append(v.Rows, optionCount{Label: o.Label, Count: o.Count, Share: core.ShareText(o.Share)})
		c.Categories = append(c.Categories, o.Label)
		c.Series[0].Data = append(c.Series[0].Data, float64(o.Count))
	}
	v.Chart, v.ChartID = &c, fmt.Sprintf("q%d-chart", q.Position)
	return v
}

func surveyResults(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	res, err := s.core.Surveys.ResultsAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	sv := res.Survey
	v := surveyResultsView{S: sv, State: core.WindowState(s.core.Now(), sv.OpensAt, sv.ClosesAt), Intro: lines(sv.Intro),
		Responses: res.Responses, CanExport: slices.Contains(core.Editors, by.Role()), RemindOn: sv.RemindOn,
		Audience: core.AudienceText(sv.AudienceOrAll())}
	if v.Turnout, err = s.core.Surveys.TurnoutAs(r.Context(), by, id); err != nil {
		return err
	}
	for _, qr := range res.Questions {
		v.Questions = append(v.Questions, questionResultOf(qr))
	}
	s.render(w, r, http.StatusOK, "survey", page{Title: sv.Title, Nav: "surveys", Me: by.Account, Data: v})
	return nil
}

// surveyExport downloads a survey's results as Excel.
func surveyExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return httpkit.ExportByID(w, r, by, s.core.Surveys.ExportResultsAs)
}
