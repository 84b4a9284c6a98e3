package core

import (
	"context"
	"errors"
	"fmt"

	"deputybot/model"
)

// setMemberDeputy records, inside the caller's audited action, that the
// member holds the deputy record deputyID (0: is not a deputy). Such a
// member reaches the bot through their deputy binding and needs no member
// code.
func (s *Liaison) setMemberDeputy(ctx context.Context, memberID, deputyID int64) error {
	if deputyID > 0 {
		if _, err := s.db.GetDeputy(ctx, deputyID); errors.Is(err, model.ErrNotFound) {
			return &FieldError{Key: "deputy_id", Label: "代表身份", Value: fmt.Sprint(deputyID), Msg: "没有这名代表"}
		} else if err != nil {
			return err
		}
	}
	err := s.db.SetMemberDeputy(ctx, memberID, deputyID)
	if errors.Is(err, model.ErrConflict) {
		return &FieldError{Key: "deputy_id", Label: "代表身份", Value: fmt.Sprint(deputyID), Msg: "已关联到另一名委员"}
	}
	return err
}

// MemberOf returns the member who writes from openid: the member holding
// the bound deputy record d (when d.ID > 0), else the member bound to
// openid with a member code; ErrNotFound when neither.
func (s *Liaison) MemberOf(ctx context.Context, d model.Deputy, openid string) (model.CommitteeMember, error) {
	if d.ID > 0 {
		m, err := s.db.MemberByDeputy(ctx, d.ID)
		if err == nil || !errors.Is(err, model.ErrNotFound) {
			return m, err
		}
	}
	if openid == "" {
		return model.CommitteeMember{}, fmt.Errorf("core: member: %w", model.ErrNotFound)
	}
	return s.db.MemberByOpenID(ctx, openid)
}

// BindingState describes in Chinese how a member is reached on WeChat.
func BindingState(m model.CommitteeMember) string {
	switch {
	case m.DeputyID > 0 && m.DeputyOpenID != "":
		return "已通过代表身份（" + m.DeputyName + "）绑定微信"
	case m.DeputyID > 0:
		return "是代表（" + m.DeputyName + "），代表身份尚未绑定微信"
	case m.OpenID != "":
		return "已绑定微信"
	}
	return "未绑定微信"
}
