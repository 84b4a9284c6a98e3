package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"deputybot/model"
)

// Assign gives an opinion to an enabled admin or staff account, replacing
// any earlier assignee; the assignee finds it under 指派给我的. Unit and
// read-only accounts may not assign.
func (s *Opinions) Assign(ctx context.Context, by Actor, opinionID, staffID int64) (model.OpinionAssignment, error) {
	var out model.OpinionAssignment
	if err := by.Require(Editors...); err != nil {
		return out, err
	}
	err := s.tx(ctx, func(ctx context.Context) error {
		o, err := s.db.GetOpinion(ctx, opinionID)
		if err != nil {
			return err
		}
		a, err := s.db.GetAccount(ctx, staffID)
		if errors.Is(err, model.ErrNotFound) || (err == nil && !a.CanTakeOpinions()) {
			return &FieldError{Key: "staff_id", Label: "指派给", Value: strconv.FormatInt(staffID, 10),
				Msg: "请选择一个启用的管理员或工作人员账号"}
		}
		if err != nil {
			return err
		}
		if err := s.db.AssignOpinion(ctx, o.ID, a.ID, by.handle()); err != nil {
			return err
		}
		if err := s.audit(ctx, by, "opinion.assign", o.Object(), fmt.Sprintf("意见 %s 指派给 %s", o.Receipt, a.DisplayName())); err != nil {
			return err
		}
		out, err = s.db.GetOpinionAssignment(ctx, o.ID)
		return err
	})
	return out, err
}

// Assignees lists the accounts an opinion can be given to.
func (s *Opinions) Assignees(ctx context.Context, by Actor) ([]model.Account, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	all, err := s.db.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []model.Account
	for _, a := range all {
		if a.CanTakeOpinions() {
			out = append(out, a)
		}
	}
	return out, nil
}
