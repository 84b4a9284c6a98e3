package core

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

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
			if password, err = s.resetPassword(ctx, a.ID); err != nil {
				return err
			}
		} else if err := s.setPassword(ctx, a.ID, password, false); err != nil {
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
		if err := s.db.SetAccountDisabled(ctx, a.ID, disabled); err != nil {
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
		if err := s.db.RevokeAPIToken(ctx, by.Account.ID, id); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "token.revoke", fmt.Sprintf("token/%d", id), "撤销 API 令牌")
	})
}

// AuditLogAs returns a page of the audit log, newest first, and how many
// entries match f in all, for an admin.
func (s *Staff) AuditLogAs(ctx context.Context, by Actor, f model.AuditFilter) ([]model.AuditEntry, int, error) {
	if err := by.Require(Admins...); err != nil {
		return nil, 0, err
	}
	return s.db.ListAudit(ctx, f)
}

// auditExportPage is how many entries an export reads at a time.
const auditExportPage = 1000

// ExportAuditAs writes the audit log matching f (paging ignored) to a
// workbook for an admin, newest first, each action in Chinese; the export
// is itself audited.
func (s *Staff) ExportAuditAs(ctx context.Context, by Actor, f model.AuditFilter) (ExportFile, error) {
	if err := by.Require(Admins...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.env.tx(ctx, func(ctx context.Context) error {
		sh, err := newSheetWriter("审计日志", []sheetColumn{{"时间", 18}, {"操作人", 16}, {"操作", 22}, {"操作代码", 24},
			{"对象", 20}, {"内容", 60}})
		if err != nil {
			return err
		}
		n := 0
		f.Limit, f.Offset = auditExportPage, 0
		for {
			entries, _, err := s.db.ListAudit(ctx, f)
			if err != nil {
				_, _ = sh.bytes()
				return err
			}
			for _, e := range entries {
				if err := sh.add(excelize.RowOpts{}, e.At.In(s.env.loc).Format("2006-01-02 15:04:05"), e.StaffName,
					model.AuditActionLabel(e.Action), e.Action, e.Object, e.Summary); err != nil {
					_, _ = sh.bytes()
					return err
				}
			}
			n += len(entries)
			if len(entries) < auditExportPage {
				break
			}
			f.BeforeID = entries[len(entries)-1].ID
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = "审计日志-" + s.env.now().In(s.env.loc).Format("20060102-1504") + ".xlsx"
		return s.env.audit(ctx, by, "audit.export", "audit_log", fmt.Sprintf("导出审计日志 %d 条", n))
	})
	return out, err
}

// flag writes a yes/no state as the export shows it.
func flag(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// minute writes a moment in the committee's zone, to the minute; "" for none.
func (s *Staff) minute(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(s.env.loc).Format("2006-01-02 15:04")
}

// sheetOf writes rows under a bold header as a workbook named name and
// dated now.
func (s *Staff) sheetOf(name string, header []string, rows [][]string) (ExportFile, error) {
	cols := make([]sheetColumn, len(header))
	for i, h := range header {
		cols[i] = sheetColumn{h, 16}
	}
	sh, err := newSheetWriter(name, cols)
	if err != nil {
		return ExportFile{}, err
	}
	for _, row := range rows {
		if err := sh.add(excelize.RowOpts{}, row...); err != nil {
			_, _ = sh.bytes()
			return ExportFile{}, err
		}
	}
	data, err := sh.bytes()
	if err != nil {
		return ExportFile{}, err
	}
	return ExportFile{Name: fmt.Sprintf("%s-%s.xlsx", name, s.env.now().In(s.env.loc).Format("20060102-1504")), Data: data}, nil
}

// ExportAccountsAs writes every account to a workbook for an admin; the
// export is audited.
func (s *Staff) ExportAccountsAs(ctx context.Context, by Actor) (ExportFile, error) {
	if err := by.Require(Admins...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.env.tx(ctx, func(ctx context.Context) error {
		list, err := s.db.ListAccounts(ctx)
		if err != nil {
			return err
		}
		rows := make([][]string, 0, len(list))
		for _, a := range list {
			created := a.CreatedAt
			rows = append(rows, []string{a.Username, a.Name, RoleLabel(a.Role), a.Unit, flag(a.Disabled, "已停用", "正常"),
				s.minute(&created), s.minute(a.LastLoginAt)})
		}
		const name = "账号"
		if out, err = s.sheetOf(name, []string{"用户名", "姓名", "角色", "承办单位", "状态", "创建时间", "最近登录"}, rows); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "staff.export", "staff", fmt.Sprintf("导出%s %d 条", name, len(rows)))
	})
	return out, err
}

// ExportTokensAs writes by's own API tokens to a workbook (not for
// read-only accounts); the export is audited.
func (s *Staff) ExportTokensAs(ctx context.Context, by Actor) (ExportFile, error) {
	if err := by.Require(StepRecorders...); err != nil {
		return ExportFile{}, err
	}
	if by.Account.ID == 0 {
		return ExportFile{}, Forbidden("只有登录的账号可以导出自己的 API 令牌")
	}
	var out ExportFile
	err := s.env.tx(ctx, func(ctx context.Context) error {
		list, err := s.db.ListAPITokens(ctx, by.Account.ID)
		if err != nil {
			return err
		}
		rows := make([][]string, 0, len(list))
		for _, t := range list {
			created := t.CreatedAt
			rows = append(rows, []string{strconv.FormatInt(t.ID, 10), t.Name, s.minute(&created), s.minute(t.LastUsedAt),
				flag(t.RevokedAt != nil, "已吊销", "有效"), s.minute(t.RevokedAt)})
		}
		const name = "API令牌"
		if out, err = s.sheetOf(name, []string{"编号", "名称", "创建时间", "最近使用", "状态", "吊销时间"}, rows); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "token.export", accountObject(by.Account), fmt.Sprintf("导出%s %d 条", name, len(rows)))
	})
	return out, err
}
