package core

import (
	"context"
	"fmt"

	"deputybot/model"
)

func accountObject(a model.Account) string { return "staff/" + a.Username }

// AccountsAs lists every account, for an admin.
func (s *Staff) AccountsAs(ctx context.Context, by Actor) ([]model.Account, error) {
	if err := by.Require(Admins...); err != nil {
		return nil, err
	}
	return s.db.ListAccounts(ctx)
}

// CreateAs adds an account as by, an admin (or the command line), with the
// password given or a generated one its holder must change at the first
// login, returned once; audited in the same transaction.
func (s *Staff) CreateAs(ctx context.Context, by Actor, in NewAccount) (model.Account, string, error) {
	if err := by.Require(Admins...); err != nil {
		return model.Account{}, "", err
	}
	var a model.Account
	var password string
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if a, password, err = s.Create(ctx, in); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "staff.create", accountObject(a),
			fmt.Sprintf("新增账号 %s（%s，%s）", a.Username, a.DisplayName(), RoleLabel(a.Role)))
	})
	return a, password, err
}

// ResetPasswordAs gives account id a generated password (returned once;
// to be changed at the next login) or, when password is given, that one;
// its console sessions end. Audited as by's.
func (s *Staff) ResetPasswordAs(ctx context.Context, by Actor, id int64, password string) (model.Account, string, error) {
	if err := by.Require(Admins...); err != nil {
		return model.Account{}, "", err
	}
	var a model.Account
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.db.GetAccount(ctx, id); err != nil {
			return err
		}
		if password == "" {
			if password, err = s.ResetPassword(ctx, a.ID); err != nil {
				return err
			}
		} else if err := s.SetPassword(ctx, a.ID, password, false); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "staff.password_reset", accountObject(a), "重置账号 "+a.Username+" 的密码")
	})
	return a, password, err
}

// SetDisabledAs disables or re-enables account id as by, an admin, who may
// not disable their own account; audited.
func (s *Staff) SetDisabledAs(ctx context.Context, by Actor, id int64, disabled bool) (model.Account, error) {
	if err := by.Require(Admins...); err != nil {
		return model.Account{}, err
	}
	var a model.Account
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.db.GetAccount(ctx, id); err != nil {
			return err
		}
		if disabled && a.ID == by.Account.ID {
			return &FieldError{Key: "id", Label: "账号", Value: a.Username, Msg: "不能停用自己的账号"}
		}
		if err := s.SetDisabled(ctx, a.ID, disabled); err != nil {
			return err
		}
		action, verb := "staff.enable", "启用"
		if disabled {
			action, verb = "staff.disable", "停用"
		}
		return s.env.audit(ctx, by, action, accountObject(a), verb+"账号 "+a.Username)
	})
	return a, err
}

// tokenMakers may hold API tokens: every role (a read-only one reads).
var tokenMakers = Everyone

// CreateTokenAs creates an API token of account a as by (a itself, or the
// command line's operator for it); the token is returned once. Audited.
func (s *Staff) CreateTokenAs(ctx context.Context, by Actor, a model.Account, name string) (string, model.APIToken, error) {
	if by.Via != ViaCLI {
		if err := by.Require(tokenMakers...); err != nil {
			return "", model.APIToken{}, err
		}
		a = by.Account
	}
	var token string
	var t model.APIToken
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if token, t, err = s.CreateToken(ctx, a, name); err != nil {
			return err
		}
		summary := "创建 API 令牌“" + t.Name + "”"
		if a.ID != by.Account.ID {
			summary = "为账号 " + a.Username + " " + summary
		}
		return s.env.audit(ctx, by, "token.create", fmt.Sprintf("token/%d", t.ID), summary)
	})
	return token, t, err
}

// RevokeTokenAs revokes one of by's own API tokens; audited.
func (s *Staff) RevokeTokenAs(ctx context.Context, by Actor, id int64) error {
	if err := by.Require(tokenMakers...); err != nil {
		return err
	}
	return s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.RevokeToken(ctx, by.Account, id); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "token.revoke", fmt.Sprintf("token/%d", id), "撤销 API 令牌")
	})
}
