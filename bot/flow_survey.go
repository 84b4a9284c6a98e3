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
	st := Step{Name: "q" + strconv.FormatInt(q.ID, 10), Prompt: "survey.question", Optional: q.Optional}
	if first {
		st.Prompt = "survey.first"
	}
	st.Data = func(*Session) any {
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
	svc := core.NewSurveys(r.DB)
	svc.SetClock(r.now)
	return &Flow{
		Name:         FlowSurvey,
		KeepOnCancel: true,
		Title: func(s *Session) string {
			if sv, err := r.DB.GetSurvey(context.Background(), s.Param("ref")); err == nil {
				return "问卷：" + sv.Title
			}
			return "问卷"
		},
		Begin: func(ctx context.Context, s *Session) (string, error) {
			sv, err := r.DB.GetSurvey(ctx, s.Param("ref"))
			if err != nil {
				return "", err
			}
			if !sv.OpenAt(s.Now) {
				return r.say("survey.closed", nil)
			}
			if sv.Anonymous {
				if done, err := r.DB.HasAnswered(ctx, sv.ID, s.Deputy.ID); err != nil || done {
					if err != nil {
						return "", err
					}
					return r.say("survey.already", nil)
				}
			}
			return "", nil
		},
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			sv, err := r.DB.GetSurvey(ctx, s.Param("ref"))
			if err != nil {
				return nil, err
			}
			steps := make([]Step, 0, len(sv.Questions)+1)
			for i, q := range sv.Questions {
				steps = append(steps, questionStep(q, i+1, len(sv.Questions), i == 0, sv))
			}
			count := len(sv.Questions)
			return append(steps, Step{Name: "confirm", Kind: KindYesNo, Prompt: "survey.confirm",
				Data: func(*Session) any { return map[string]any{"Count": count} }}), nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			if s.Answers["confirm"] != "yes" {
				return r.say("survey.discarded", nil)
			}
			sv, err := r.DB.GetSurvey(ctx, s.Param("ref"))
			if err != nil {
				return "", err
			}
			answers := make(map[int64]string, len(sv.Questions))
			for _, q := range sv.Questions {
				answers[q.ID] = s.Answers["q"+strconv.FormatInt(q.ID, 10)]
			}
			_, err = svc.Submit(ctx, sv.ID, s.Deputy.ID, answers)
			var verr core.ValidationError
			switch {
			case errors.Is(err, model.ErrSurveyClosed):
				return r.say("survey.closed", nil)
			case errors.Is(err, model.ErrAlreadyAnswered):
				return r.say("survey.already", nil)
			case errors.As(err, &verr):
				return r.say("opinion.invalid", map[string]any{"Problem": verr.Error()})
			case err != nil:
				return "", err
			}
			return r.say("survey.saved", map[string]any{"Anonymous": sv.Anonymous})
		},
	}
}

// surveys starts the oldest open survey the deputy has not answered.
func (r *Router) surveys(ctx context.Context, d model.Deputy, openid string) (string, error) {
	open, err := r.DB.OpenSurveysFor(ctx, d.ID, r.now())
	if err != nil {
		return "", err
	}
	if len(open) == 0 {
		// Offer a revision of a named survey still open.
		all, err := r.DB.ListSurveys(ctx)
		if err != nil {
			return "", err
		}
		for _, sv := range all {
			if sv.Anonymous || !sv.OpenAt(r.now()) {
				continue
			}
			if done, err := r.DB.HasAnswered(ctx, sv.ID, d.ID); err == nil && done {
				open = append(open, sv)
				break
			}
		}
	}
	if len(open) == 0 {
		return r.say("survey.none", nil)
	}
	return r.Engine.Start(ctx, d, openid, FlowSurvey, map[string]string{"ref": strconv.FormatInt(open[0].ID, 10)}, "", "")
}
