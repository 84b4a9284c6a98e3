package h5

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

// The survey section: the questions and the answer form.

type h5Question struct {
	Field, Kind, KindLabel, Text string
	Position                     int
	Optional                     bool
	Choices                      []h5Choice // single, multi and scale questions
	Value                        string     // a text question's answer
}

type h5Survey struct {
	ID                          int64
	Title, Closes               string
	IntroParas                  []string
	Anonymous, Answered, CanAsk bool
	Questions                   []h5Question
	Action                      string
	// Mine is what the deputy answered (a named survey); ChangeNote says
	// whether it can still be changed.
	Mine       []h5Answer
	ChangeNote string
}

// h5Answer is one question with the deputy's answer, in words.
type h5Answer struct {
	Position     int
	Text, Answer string
}

func (h *server) surveySection(ctx context.Context, s *h5Section, dep, id int64, t h5Target, in h5Input) error {
	sv, err := h.surveys.Get(ctx, id)
	if err != nil {
		return err
	}
	answered, err := h.surveys.HasAnswered(ctx, id, dep)
	if err != nil {
		return err
	}
	now := h.d.Now()
	v := &h5Survey{ID: sv.ID, Title: sv.Title, IntroParas: paragraphs(sv.Intro), Closes: h.fmtTime(sv.ClosesAt),
		Anonymous: sv.Anonymous, Answered: answered, Action: t.action("survey")}
	var mine map[int64]string
	if answered && !sv.Anonymous {
		if mine, err = h.surveys.AnswersOf(ctx, id, dep); err != nil {
			return err
		}
		for _, q := range sv.Questions {
			v.Mine = append(v.Mine, h5Answer{Position: q.Position, Text: q.Text, Answer: answerText(q, mine[q.ID])})
		}
	}
	switch {
	case now.Before(sv.OpensAt):
		s.Note = "问卷将于 " + h.fmtTime(sv.OpensAt) + " 开始填写。"
	case !sv.OpenAt(now):
		s.Note = "问卷已于 " + v.Closes + " 截止，感谢您的关注。"
		if answered && !sv.Anonymous {
			v.ChangeNote = "问卷已截止，以上回答不能再修改。"
		}
	case sv.Anonymous && answered:
		s.Note = "您已提交过本问卷，感谢您的参与。"
		v.ChangeNote = "本问卷为匿名问卷：您的回答不与身份关联，因此无法在此显示，也不能修改（只能提交一次）。"
	default:
		v.CanAsk = true
		if answered {
			v.ChangeNote = "截止（" + v.Closes + "）前可以修改：在下方改好后重新提交，以最后一次提交为准。"
		}
	}
	if v.CanAsk {
		form := in.Form
		if len(form) == 0 && mine != nil {
			// The form starts from the answers given.
			form = url.Values{}
			for qid, val := range mine {
				if val != "" {
					form["q"+strconv.FormatInt(qid, 10)] = strings.Split(val, ",")
				}
			}
			for _, q := range sv.Questions {
				if q.Kind == model.QuestionText {
					form.Set("q"+strconv.FormatInt(q.ID, 10), mine[q.ID])
				}
			}
		}
		for _, q := range sv.Questions {
			v.Questions = append(v.Questions, questionView(q, form))
		}
	}
	if in.Done == "survey" && answered {
		s.Done = "问卷已提交，感谢您的参与。"
	}
	s.Survey = v
	return nil
}

// answerText is a stored answer in words: the options picked, the score,
// the text, or （未作答）.
func answerText(q model.SurveyQuestion, val string) string {
	if strings.TrimSpace(val) == "" {
		return "（未作答）"
	}
	switch q.Kind {
	case model.QuestionSingle, model.QuestionMulti:
		var labels []string
		for _, p := range strings.Split(val, ",") {
			if n, err := strconv.Atoi(p); err == nil && n >= 1 && n <= len(q.Options) {
				labels = append(labels, q.Options[n-1])
			}
		}
		return strings.Join(labels, "、")
	case model.QuestionScale:
		return val + " 分"
	}
	return val
}

func questionView(q model.SurveyQuestion, form url.Values) h5Question {
	field := "q" + strconv.FormatInt(q.ID, 10)
	v := h5Question{Field: field, Kind: q.Kind, KindLabel: core.QuestionKindLabel(q.Kind), Text: q.Text,
		Position: q.Position, Optional: q.Optional}
	picked := form[field]
	switch q.Kind {
	case model.QuestionSingle, model.QuestionMulti:
		for i, o := range q.Options {
			val := strconv.Itoa(i + 1)
			v.Choices = append(v.Choices, h5Choice{Name: field, Value: val, Label: o, Checked: slices.Contains(picked, val),
				Required: q.Kind == model.QuestionSingle && !q.Optional})
		}
	case model.QuestionScale:
		for n := core.ScaleMin; n <= core.ScaleMax; n++ {
			val := strconv.Itoa(n)
			v.Choices = append(v.Choices, h5Choice{Name: field, Value: val, Label: val + " 分",
				Checked: slices.Contains(picked, val), Required: !q.Optional})
		}
	default:
		v.Value = form.Get(field)
	}
	return v
}

func (h *server) submitSurvey(ctx context.Context, by core.Actor, id int64, f url.Values) error {
	sv, err := h.surveys.Get(ctx, id)
	if err != nil {
		return err
	}
	answers := make(map[int64]string, len(sv.Questions))
	for _, q := range sv.Questions {
		// A multiple choice arrives as one value per box: "1,3" as the chat types it.
		answers[q.ID] = strings.Join(f["q"+strconv.FormatInt(q.ID, 10)], ",")
	}
	_, err = h.surveys.SubmitAs(ctx, by, id, answers)
	return err
}
