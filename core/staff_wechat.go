package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"deputybot/model"
)

// StaffWeChatState is what an account's WeChat page shows: whether it is
// bound, and since when.
type StaffWeChatState struct {
	Account model.Account
	model.StaffWeChat
}

// weChatAccount returns the account whose WeChat by may manage: its own,
// or any for an administrator.
func (s *Staff) weChatAccount(ctx context.Context, by Actor, staffID int64) (model.Account, error) {
	if err := by.Require(StepRecorders...); err != nil {
		return model.Account{}, err
	}
	if staffID != by.Account.ID && by.Role() != model.RoleAdmin {
		return model.Account{}, Forbidden("只能管理本账号的微信绑定")
	}
	a, err := s.db.GetAccount(ctx, staffID)
	if errors.Is(err, model.ErrNotFound) {
		return a, NotFound("账号 %d 不存在", staffID)
	}
	return a, err
}

// WeChatAs returns the WeChat binding of the account staffID: by's own,
// or any for an administrator.
func (s *Staff) WeChatAs(ctx context.Context, by Actor, staffID int64) (StaffWeChatState, error) {
	a, err := s.weChatAccount(ctx, by, staffID)
	if err != nil {
		return StaffWeChatState{}, err
	}
	w, err := s.db.StaffWeChatOf(ctx, a.ID)
	return StaffWeChatState{Account: a, StaffWeChat: w}, err
}

// IssueWeChatCodeAs gives the account staffID (by's own, or any for an
// administrator) a fresh 6-digit code, valid for BindCodeValidity: its
// holder sends 绑定, the account's name (or its unit's), then the code, in
// the official account's chat. The code stays out of the audit entry. An
// account bound already may have one too: it binds another WeChat only
// after an unbind.
func (s *Staff) IssueWeChatCodeAs(ctx context.Context, by Actor, staffID int64) (string, time.Time, error) {
	var code string
	var expires time.Time
	err := s.env.tx(ctx, func(ctx context.Context) error {
		a, err := s.weChatAccount(ctx, by, staffID)
		if err != nil {
			return err
		}
		if a.Disabled {
			return &FieldError{Key: "code", Label: "绑定码", Msg: "该账号已停用，不能生成绑定码"}
		}
		if code, err = NewBindCode(); err != nil {
			return err
		}
		expires = s.env.now().Add(BindCodeValidity)
		if err := s.db.SetStaffBindCode(ctx, a.ID, code, expires); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "staff.bind_code", accountObject(a),
			fmt.Sprintf("为账号 %s 生成微信绑定码，有效至 %s", a.Username, expires.In(s.env.loc).Format("2006-01-02 15:04")))
	})
	return code, expires, err
}

// UnbindWeChatAs removes the WeChat binding of the account staffID (by's
// own, or any for an administrator): its notices stop until it binds
// again. An account not bound is a Conflict.
func (s *Staff) UnbindWeChatAs(ctx context.Context, by Actor, staffID int64) (model.Account, error) {
	var a model.Account
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.weChatAccount(ctx, by, staffID); err != nil {
			return err
		}
		if err := s.db.UnbindStaffWeChat(ctx, a.ID); errors.Is(err, model.ErrNotFound) {
			return Conflict("该账号尚未绑定微信，无需解除。")
		} else if err != nil {
			return err
		}
		return s.env.audit(ctx, by, "staff.unbind", accountObject(a), "解除账号 "+a.Username+" 的微信绑定")
	})
	return a, err
}

// StaffOf returns the enabled account bound to openid, or ErrNotFound.
func (s *Staff) StaffOf(ctx context.Context, openid string) (model.Account, error) {
	if openid == "" {
		return model.Account{}, fmt.Errorf("core: staff: %w", model.ErrNotFound)
	}
	a, err := s.db.StaffByOpenID(ctx, openid)
	if err == nil && a.Disabled {
		return model.Account{}, fmt.Errorf("core: staff: %w", model.ErrNotFound)
	}
	return a, err
}

// staffNameMatches reports whether name, as typed in the binding chat,
// names the account: its name, its unit's or its username.
func staffNameMatches(a model.Account, name string) bool {
	name = strings.TrimSpace(name)
	if name == "" {
		return false
	}
	for _, n := range []string{a.Name, a.Unit, a.Username} {
		if n = strings.TrimSpace(n); n != "" && strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// attemptStaff binds a staff account: its name (or its unit's) and the
// 6-digit code it issued (see attemptCode).
func (b *Binding) attemptStaff(ctx context.Context, by Actor, name, digits string) (BindResult, bool, error) {
	return b.attemptCode(ctx, digits, b.db.StaffIDsForBindCode, func(ctx context.Context, id int64) (func(context.Context) error, BindResult, error) {
		a, err := b.db.GetAccount(ctx, id)
		if err != nil || a.Disabled || !staffNameMatches(a, name) {
			return nil, BindResult{}, err
		}
		return func(ctx context.Context) error {
			if err := b.db.BindStaffWeChat(ctx, a.ID, by.OpenID); err != nil {
				return err
			}
			return b.audit(ctx, Actor{Via: by.Via, Account: a, OpenID: by.OpenID}, "staff.bind", accountObject(a),
				fmt.Sprintf("账号 %s 以绑定码绑定微信", a.Username))
		}, BindResult{Outcome: BindStaff, Name: a.DisplayName(), Unit: a.Unit}, nil
	})
}

// WeChatBoundAs returns, for an administrator, which accounts have a
// WeChat bound: account id → when.
func (s *Staff) WeChatBoundAs(ctx context.Context, by Actor) (map[int64]time.Time, error) {
	if err := by.Require(Admins...); err != nil {
		return nil, err
	}
	return s.db.StaffWeChatBound(ctx)
}
