package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/surveys", viewers, surveysList) }

// surveyRow is one line of the survey list.
type surveyRow struct {
	model.Survey
	State string // 未开始, 进行中, 已截止
}

// windowState names where now falls in [opens, closes).
func windowState(now, opens, closes time.Time) string {
	switch {
	case now.Before(opens):
		return "未开始"
	case now.Before(closes):
		return "进行中"
	}
	return "已截止"
}

type surveysView struct {
	Rows      []surveyRow
	CanCreate bool
}

func surveysList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	list, err := s.surveys().List(r.Context())
	if err != nil {
		return err
	}
	v := surveysView{CanCreate: canExport(me.Role)}
	now := s.d.Now()
	for _, sv := range list {
		v.Rows = append(v.Rows, surveyRow{Survey: sv, State: windowState(now, sv.OpensAt, sv.ClosesAt)})
	}
	s.render(w, r, http.StatusOK, "surveys", page{Title: "问卷调查", Nav: "surveys", Me: me, Data: v})
	return nil
}

// Question kinds in the order the form offers them.
var questionKindChoices = []core.Choice{
	{Value: model.QuestionSingle, Label: "单选题"}, {Value: model.QuestionMulti, Label: "多选题"},
	{Value: model.QuestionScale, Label: "打分题（1–5 分）"}, {Value: model.QuestionText, Label: "填空题"},
}

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
}

type questionForm struct {
	N                   int // 1-based, as shown and as core numbers errors
	Kind, Text, Options string
	Optional            bool
}

func (q questionForm) blank() bool {
	return strings.TrimSpace(q.Text) == "" && strings.TrimSpace(q.Options) == ""
}

// parseSurveyForm reads the form's fields; question blocks left blank are
// dropped, the rest renumbered, so core's 第N题 matches the page.
func parseSurveyForm(v url.Values) surveyForm {
	f := surveyForm{Title: v.Get("title"), Intro: v.Get("intro"), Anonymous: v.Get("anonymous") != "",
		OpensAt: strings.TrimSpace(v.Get("opens_at")), ClosesAt: strings.TrimSpace(v.Get("closes_at"))}
	for i := 1; i <= maxFormBlocks; i++ {
		p := "q" + strconv.Itoa(i) + "_"
		q := questionForm{Kind: v.Get(p + "kind"), Text: v.Get(p + "text"), Options: v.Get(p + "options"),
			Optional: v.Get(p+"optional") != ""}
		if q.blank() {
			continue
		}
		q.N = len(f.Questions) + 1
		f.Questions = append(f.Questions, q)
	}
	return f
}

// withBlanks adds blank question blocks up to n more.
func (f surveyForm) withBlanks(n int) surveyForm {
	for range n {
		if len(f.Questions) >= maxFormBlocks {
			break
		}
		f.Questions = append(f.Questions, questionForm{N: len(f.Questions) + 1, Kind: model.QuestionSingle})
	}
	return f
}

// survey turns the form into a survey, with the problems of its times.
func (f surveyForm) survey(loc *time.Location) (model.Survey, core.ValidationError) {
	sv := model.Survey{Title: f.Title, Intro: f.Intro, Anonymous: f.Anonymous}
	var errs core.ValidationError
	parse := func(field, v string, dst *time.Time) {
		if v == "" {
			return
		}
		t, err := parseLocalTime(v, loc)
		if err != nil {
			errs = append(errs, &core.FieldError{Label: field, Value: v, Msg: "格式应为 2026-03-31 18:00"})
			return
		}
		*dst = t
	}
	parse("开始时间", f.OpensAt, &sv.OpensAt)
	parse("截止时间", f.ClosesAt, &sv.ClosesAt)
	for _, q := range f.Questions {
		sq := model.SurveyQuestion{Kind: q.Kind, Text: q.Text, Optional: q.Optional}
		if q.Kind == model.QuestionSingle || q.Kind == model.QuestionMulti {
			sq.Options = splitLines(q.Options)
		} else if strings.TrimSpace(q.Options) != "" {
			sq.Options = splitLines(q.Options) // core says it needs none
		}
		sv.Questions = append(sv.Questions, sq)
	}
	return sv, errs
}

// parseLocalTime reads a datetime-local value (or a date and time with a
// space) in loc.
func parseLocalTime(v string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	return time.ParseInLocation(time.RFC3339, v, loc)
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

var questionField = regexp.MustCompile(`^第(\d+)题$`)

// surveyKeys names the form field of each of the survey's Chinese field
// names; 第N题 is the block qN.
func surveyKeys(field string) string {
	if m := questionField.FindStringSubmatch(field); m != nil {
		return "q" + m[1]
	}
	return map[string]string{"标题": "title", "说明": "intro", "开始时间": "opens_at", "截止时间": "closes_at",
		"题目": "questions"}[field]
}
