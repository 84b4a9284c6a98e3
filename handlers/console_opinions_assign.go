package handlers

import (
	"context"
	"deputybot/model"
	"errors"
)

// opinionAssignView is the assign form of an opinion's page: who looks
// after it, and the accounts it can be given to.
type opinionAssignView struct {
	Current *model.OpinionAssignment
	Staff   []model.Account
}

// opinionAssignViewOf loads the assign form of an opinion.
func (s *server) opinionAssignViewOf(ctx context.Context, opinionID int64) (opinionAssignView, error) {
	var v opinionAssignView
	cur, err := s.d.DB.GetOpinionAssignment(ctx, opinionID)
	switch {
	case err == nil:
		v.Current = &cur
	case !errors.Is(err, model.ErrNotFound):
		return v, err
	}
	all, err := s.d.DB.ListAccounts(ctx)
	if err != nil {
		return v, err
	}
	for _, a := range all {
		if a.CanTakeOpinions() {
			v.Staff = append(v.Staff, a)
		}
	}
	return v, nil
}

// opinionAssignees returns the assignee's name of each listed opinion that
// has one, by opinion id: the inbox's column.
func (s *server) opinionAssignees(ctx context.Context, list []model.Opinion) (map[int64]string, error) {
	ids := make([]int64, len(list))
	for i, o := range list {
		ids[i] = o.ID
	}
	as, err := s.d.DB.OpinionAssignments(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(as))
	for id, a := range as {
		out[id] = a.StaffName
	}
	return out, nil
}
