package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"deputybot/model"
)

// The satisfaction rating (办理满意度测评) as the deputies take it, in the
// chat and on the H5 page: one rule decides whether they may rate, and
// the rating is audited as theirs.

// revision returns deputyID's earlier rating of sg and whether a rating
// now would be a fresh one (none yet, or only of a reply since
// superseded), or ErrRatingClosed when it would revise one past
// RatingRevisionWindow.
func (s *Suggestions) revision(ctx context.Context, sg model.Suggestion, deputyID int64, now time.Time) (model.SuggestionRating, bool, error) {
	prev, err := s.db.GetRating(ctx, sg.ID, deputyID)
	fresh := errors.Is(err, model.ErrNotFound)
	if err != nil && !fresh {
		return prev, false, err
	}
	if !fresh && sg.RepliedAt != nil && sg.RepliedAt.After(lastChange(prev)) {
		fresh = true // the earlier rating was of a reply since superseded
	}
	if !fresh && now.After(prev.RatedAt.Add(s.RatingRevisionWindow)) {
		return prev, false, ErrRatingClosed
	}
	return prev, fresh, nil
}

// CanRate returns the suggestion the deputy by would rate, or why they
// may not rate it now: ErrNotOnSuggestion, ErrNotRateable (see
// model.Suggestion.CanRate), ErrRatingClosed, or not found.
func (s *Suggestions) CanRate(ctx context.Context, by Actor, suggestionID int64) (model.Suggestion, error) {
	sg, err := s.db.GetSuggestion(ctx, suggestionID)
	if err != nil {
		return sg, err
	}
	if _, ok := deputyOn(sg, by.Deputy.ID); !ok || by.Deputy.ID == 0 {
		return sg, ErrNotOnSuggestion
	}
	if !sg.CanRate() {
		return sg, ErrNotRateable
	}
	_, _, err = s.revision(ctx, sg, by.Deputy.ID, s.Now().UTC())
	return sg, err
}

// RateAs stores the rating of the deputy by (see Rate for the rules) and
// audits it, in one transaction.
func (s *Suggestions) RateAs(ctx context.Context, by Actor, suggestionID int64, r Rating) (model.SuggestionRating, error) {
	if by.Deputy.ID == 0 {
		return model.SuggestionRating{}, ErrNotOnSuggestion
	}
	var rec model.SuggestionRating
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if rec, err = s.Rate(ctx, suggestionID, by.Deputy.ID, r); err != nil {
			return err
		}
		sg, err := s.db.GetSuggestion(ctx, suggestionID)
		if err != nil {
			return err
		}
		return s.env.audit(ctx, by, "suggestion.rate", fmt.Sprintf("suggestion/%d", sg.ID),
			fmt.Sprintf("测评建议 %s：沟通方式%s，办理态度%s，办理结果%s", sg.Number, ContactLabel(rec.Contact),
				SatisfactionLabel(rec.Attitude), SatisfactionLabel(rec.Result)))
	})
	return rec, err
}
