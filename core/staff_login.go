package core

import (
	"context"

	"deputybot/model"
)

// Login signs a staff account in through via (the console): the password
// is checked under the login limit (a *LockedError while the account or
// addr is locked, ErrBadCredentials, ErrAccountDisabled), then the login
// time and its audit entry are written in one transaction. The limit's
// own records are written apart, before: a failed attempt must count
// whatever happens next.
func (s *Staff) Login(ctx context.Context, username, password, addr, via string) (model.Account, error) {
	a, err := s.authenticate(ctx, username, password, addr)
	if err != nil {
		return model.Account{}, err
	}
	err = s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.db.TouchAccountLogin(ctx, a.ID); err != nil {
			return err
		}
		return s.env.audit(ctx, StaffActor(a, via), "staff.login", accountObject(a), "登录控制台")
	})
	if err != nil {
		return model.Account{}, err
	}
	at := s.Now().UTC()
	a.LastLoginAt = &at
	return a, nil
}

// ChangeOwnPasswordAs replaces the password of by's own account, from addr
// (the client's IP; may be empty). confirm must repeat next. The current
// password is checked under the login limit, as a login is (a wrong one
// counts as a failed login; while locked the answer is a *LockedError);
// the new password and its audit entry are one write. It returns the
// account as changed, whose SessionStamp the caller's session takes.
func (s *Staff) ChangeOwnPasswordAs(ctx context.Context, by Actor, current, next, confirm, addr string) (model.Account, error) {
	if by.Account.ID == 0 {
		return model.Account{}, Forbidden("只有登录的账号可以修改自己的密码")
	}
	if next != confirm {
		return model.Account{}, ValidationError{{Key: "confirm", Label: "确认密码", Msg: "两次输入的新密码不一致"}}
	}
	a, err := s.db.GetAccount(ctx, by.Account.ID)
	if err != nil {
		return model.Account{}, err
	}
	ok, err := s.checkPassword(ctx, a.Username, addr, []byte(a.PasswordHash), current)
	if err != nil {
		return model.Account{}, err
	}
	if !ok {
		return model.Account{}, ValidationError{{Key: "current", Label: "当前密码", Msg: "不正确"}}
	}
	if current == next {
		return model.Account{}, ValidationError{{Key: "password", Label: "新密码", Msg: "不能与当前密码相同"}}
	}
	err = s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.setPassword(ctx, a.ID, next, false); err != nil {
			return err
		}
		if err := s.env.audit(ctx, by, "staff.password", accountObject(a), "修改了自己的密码"); err != nil {
			return err
		}
		a, err = s.db.GetAccount(ctx, a.ID)
		return err
	})
	if err != nil {
		return model.Account{}, err
	}
	return a, nil
}
