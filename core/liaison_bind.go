package core

import (
	"context"
	"deputybot/model"
	"errors"
	"fmt"
	"time"
)

// SetMemberDeputy records that the member holds the deputy record
// deputyID (0: is not a deputy). Such a member reaches the bot through
// their deputy binding and needs no member code.
func (s *Liaison) SetMemberDeputy(ctx context.Context, memberID, deputyID int64) error {
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

// IssueMemberBindCode gives a member who is not a deputy a fresh 6-digit
// code, valid for BindCodeValidity: they send 绑定, their name, then the
// code. A member who holds a deputy record binds as that deputy instead.
func (s *Liaison) IssueMemberBindCode(ctx context.Context, memberID int64) (string, time.Time, error) {
	m, err := s.db.GetCommitteeMember(ctx, memberID)
	if err != nil {
		return "", time.Time{}, err
	}
	switch {
	case m.DeputyID > 0:
		return "", time.Time{}, &FieldError{Key: "code", Label: "绑定码", Msg: "该委员是代表，请用代表身份绑定（代表绑定码在代表页面生成）"}
	case m.OpenID != "":
		return "", time.Time{}, &FieldError{Key: "code", Label: "绑定码", Msg: "该委员已绑定微信，如需换绑请先解除绑定"}
	}
	code, err := NewBindCode()
	if err != nil {
		return "", time.Time{}, err
	}
	expires := s.now().Add(BindCodeValidity)
	if err := s.db.SetMemberBindCode(ctx, memberID, code, expires); err != nil {
		return "", time.Time{}, err
	}
	return code, expires, nil
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
