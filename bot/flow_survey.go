package bot

import (
	"context"
	"errors"
	"strconv"

	"deputybot/core"
	"deputybot/model"
)

// FlowSurvey answers a survey (ref = survey id), one question a step.
const FlowSurvey = "survey"

func questionStep(q model.SurveyQuestion, n, count int, first bool, sv model.Survey) Step {
	st := Step{Name: "q" + strconv.FormatInt(q.ID, 10), Prompt: "survey.question", Optional: q.Optional,
		Label: "第 " + strconv.Itoa(n) + " 题：" + excerpt(q.Text, 16)}
	if first {
		st.Prompt = "survey.first"
	}
	st.Data = func(context.Context, *Session) any {
		return map[string]any{"N": n, "Count": count, "Text": q.Text, "Optional": q.Optional,
			"Title": sv.Title, "Intro": sv.Intro, "Anonymous": sv.Anonymous}
	}
	switch q.Kind {
	case model.QuestionSingle, model.QuestionMulti:
		for i, o := range q.Options {
			st.Choices = append(st.Choices, Choice{Value: strconv.Itoa(i + 1), Label: o})
		}
		st.Kind = KindChoice
		if q.Kind == model.QuestionMulti {
			st.Kind = KindMultiChoice
		}
	case model.QuestionScale:
		st.Kind = KindScale
	default:
		st.Kind, st.MaxLen = KindText, core.MaxTextAnswerRunes
	}
	return st
}

func (r *Router) surveyFlow() *Flow {
	svc := r.Core.Surveys
	return &Flow{
		Name:         FlowSurvey,
		KeepOnCancel: true,
		Title: func(ctx context.Context, s *Session) string {
			if sv, err := svc.Get(ctx, s.Param("ref")); err == nil {
				return "问卷：" + sv.Title
			}
			return "问卷"
		},
		Begin: func(ctx context.Context, s *Session) (string, error) {
			_, err := svc.CanAnswer(ctx, deputyOf(s), s.Param("ref"))
			switch {
			case errors.Is(err, model.ErrSurveyClosed):
				return r.say("survey.closed", nil)
			case errors.Is(err, model.ErrAlreadyAnswered):
				return r.say("survey.already", nil)
			}
			return "", err
		},
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			sv, err := svc.Get(ctx, s.Param("ref"))
			if err != nil {
				return nil, err
			}
			steps := make([]Step, 0, len(sv.Questions)+1)
			for i, q := range sv.Questions {
				steps = append(steps, questionStep(q, i+1, len(sv.Questions), i == 0, sv))
			}
			count := len(sv.Questions)
			return append(steps, Step{Name: "confirm", Kind: KindYesNo, Prompt: "survey.confirm",
				Data: func(context.Context, *Session) any { return map[string]any{"Count": count} }}), nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			if s.Answers["confirm"] != "yes" {
				return r.say("survey.discarded", nil)
			}
			sv, err := svc.Get(ctx, s.Param("ref"))
			if err != nil {
				return "", err
			}
			answers := make(map[int64]string, len(sv.Questions))
			for _, q := range sv.Questions {
				answers[q.ID] = s.Answers["q"+strconv.FormatInt(q.ID, 10)]
			}
			_, err = svc.SubmitAs(ctx, deputyOf(s), sv.ID, answers)
			verr, invalid := core.Fields(err)
			switch {
			case errors.Is(err, model.ErrSurveyClosed):
				return r.say("survey.closed", nil)
			case errors.Is(err, model.ErrAlreadyAnswered):
				return r.say("survey.already", nil)
			case invalid:
				return r.say("opinion.invalid", map[string]any{"Problem": verr.Error()})
			case err != nil:
				return "", err
			}
			return r.say("survey.saved", map[string]any{"Anonymous": sv.Anonymous})
		},
	}
}

// surveys starts the survey the deputy is asked to answer next.
func (r *Router) surveys(ctx context.Context, d model.Deputy, openid string) (string, error) {
	sv, ok, err := r.Core.Surveys.NextFor(ctx, core.DeputyActor(d, core.ViaWeChat))
	if err != nil {
		return "", err
	}
	if !ok {
		return r.say("survey.none", nil)
	}
	return r.Engine.Start(ctx, d, openid, FlowSurvey, map[string]string{"ref": strconv.FormatInt(sv.ID, 10)}, "", "")
}
