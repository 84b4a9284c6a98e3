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
	switch {
	case now.Before(sv.OpensAt):
		s.Note = "问卷将于 " + h.fmtTime(sv.OpensAt) + " 开始填写。"
	case !sv.OpenAt(now):
		s.Note = "问卷已于 " + v.Closes + " 截止，感谢您的关注。"
	case sv.Anonymous && answered:
		s.Note = "您已提交过本问卷（匿名问卷只能提交一次），感谢您的参与。"
	default:
		v.CanAsk = true
		if answered {
			s.Note = "您已提交过本问卷；截止前可以重新填写，以最后一次提交为准。"
		}
	}
	if v.CanAsk {
		for _, q := range sv.Questions {
			v.Questions = append(v.Questions, questionView(q, in.Form))
		}
	}
	if in.Done == "survey" && answered {
		s.Done = "问卷已提交，感谢您的参与。"
	}
	s.Survey = v
	return nil
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
