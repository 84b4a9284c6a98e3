package core

import (
	"context"
	"fmt"

	"deputybot/model"
)

// CanAnswer returns the survey surveyID for the deputy by to answer, or
// why they may not now: model.ErrSurveyClosed outside its dates,
// model.ErrAlreadyAnswered for an anonymous survey they answered (a named
// one may be answered again until it closes).
func (s *Surveys) CanAnswer(ctx context.Context, by Actor, surveyID int64) (model.Survey, error) {
	if by.Deputy.ID == 0 {
		return model.Survey{}, Forbidden("只有代表本人可以填写问卷")
	}
	sv, err := s.db.GetSurvey(ctx, surveyID)
	if err != nil {
		return sv, err
	}
	if asked, err := s.db.InSurveyAudience(ctx, sv, by.Deputy.ID); err != nil {
		return sv, err
	} else if !asked {
		return sv, NotFound("这份问卷不是发给您的。")
	}
	if !sv.OpenAt(s.now()) {
		return sv, fmt.Errorf("core: survey %d: %w", surveyID, model.ErrSurveyClosed)
	}
	if sv.Anonymous {
		done, err := s.db.HasAnswered(ctx, sv.ID, by.Deputy.ID)
		if err != nil {
			return sv, err
		}
		if done {
			return sv, fmt.Errorf("core: survey %d: %w", surveyID, model.ErrAlreadyAnswered)
		}
	}
	return sv, nil
}

// NextFor returns the survey the deputy by is asked to answer next: the
// open survey they have not answered that closes soonest, else an open
// named survey they did answer (to revise). ok is false when there is
// none.
func (s *Surveys) NextFor(ctx context.Context, by Actor) (sv model.Survey, ok bool, err error) {
	if by.Deputy.ID == 0 {
		return sv, false, Forbidden("只有代表本人可以填写问卷")
	}
	now := s.now()
	open, err := s.db.OpenSurveysFor(ctx, by.Deputy.ID, now)
	if err == nil {
		open, err = s.askingOnly(ctx, open, by.Deputy.ID)
	}
	if err != nil || len(open) > 0 {
		if len(open) > 0 {
			return open[0], true, nil
		}
		return sv, false, err
	}
	all, err := s.db.ListSurveys(ctx)
	if err != nil {
		return sv, false, err
	}
	for _, sv := range all {
		if sv.Anonymous || !sv.OpenAt(now) {
			continue
		}
		if done, err := s.db.HasAnswered(ctx, sv.ID, by.Deputy.ID); err == nil && done {
			return sv, true, nil
		}
	}
	return sv, false, nil
}
