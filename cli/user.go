package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"deputybot/config"
	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
)

// stdin is where --password-stdin reads; tests replace it.
var stdin io.Reader = os.Stdin

func init() {
	add := &command{
		name: "user add", summary: "create a console / API account",
		usage: "USERNAME --role admin|staff|unit|readonly [--name NAME] [--unit UNIT] [--password-stdin] [--config FILE]",
		help: `Creates an account for the staff console and the JSON API. Roles:
  admin     everything, including accounts and the audit log (管理员)
  staff     all deputy work (工作人员)
  unit      a handling unit: only the suggestions assigned to --unit (承办单位)
  readonly  views only, phone numbers masked (只读)
Without --password-stdin a password is generated, printed once, and must be
changed at the first login. With it, the first line of standard input is
the password (at least 10 characters).

Example:
  deputybot user add zhangwei --role staff --name 张伟
  deputybot user add jtt --role unit --unit 省交通运输厅
  printf '%s\n' "$PASSWORD" | deputybot user add li --role admin --password-stdin`,
	}
	add.run = func(ctx context.Context, e *env, args []string) int {
		fs := add.flags(e)
		path := configFlag(fs)
		role := fs.String("role", "", "admin, staff, unit or readonly (required)")
		name := fs.String("name", "", "the person's or the unit's name, shown in the console and the audit log")
		unit := fs.String("unit", "", "the handling unit (承办单位) of a unit account")
		fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
		username, code, ok := fileArg(add, e, fs, args)
		if !ok {
			return code
		}
		if *role == "" {
			fmt.Fprintln(e.stderr, "deputybot user add: --role is required (admin, staff, unit or readonly)")
			return exitUsage
		}
		var password string
		if *fromStdin {
			if password, ok = readPassword(e); !ok {
				return exitUsage
			}
		}
		return withStaff(ctx, e, *path, func(s *core.Staff) int {
			a, pw, err := s.CreateAs(ctx, core.CLIActor(model.Account{}, osUser(e)),
				core.NewAccount{Username: username, Name: *name, Role: *role, Unit: *unit, Password: password})
			if err != nil {
				return staffError(e, err)
			}
			fmt.Fprintf(e.stdout, "created %s (%s)\n", a.Username, core.RoleLabel(a.Role))
			if password == "" {
				fmt.Fprintf(e.stdout, "password (shown once; to be changed at the first login): %s\n", pw)
			}
			return exitOK
		})
	}
	register(add)

	passwd := &command{
		name: "user passwd", summary: "set or reset an account's password",
		usage: "USERNAME [--password-stdin] [--config FILE]",
		help: `Gives an account a new password: generated and printed once (to be changed at
the next login), or read from the first line of standard input with
--password-stdin. The account's console sessions end.

Example:
  deputybot user passwd zhangwei
  printf '%s\n' "$PASSWORD" | deputybot user passwd admin --password-stdin`,
	}
	passwd.run = func(ctx context.Context, e *env, args []string) int {
		fs := passwd.flags(e)
		path := configFlag(fs)
		fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
		username, code, ok := fileArg(passwd, e, fs, args)
		if !ok {
			return code
		}
		var password string
		if *fromStdin {
			if password, ok = readPassword(e); !ok {
				return exitUsage
			}
		}
		return withAccount(ctx, e, *path, username, func(s *core.Staff, a model.Account) int {
			given := password != ""
			_, password, err := s.ResetPasswordAs(ctx, core.CLIActor(model.Account{}, osUser(e)), a.ID, password)
			if err != nil {
				return staffError(e, err)
			}
			if given {
				fmt.Fprintf(e.stdout, "password of %s changed\n", a.Username)
			} else {
				fmt.Fprintf(e.stdout, "new password for %s (shown once; to be changed at the next login): %s\n", a.Username, password)
			}
			return exitOK
		})
	}
	register(passwd)

	disable := &command{
		name: "user disable", summary: "disable an account (its sessions and tokens stop working)",
		usage: "USERNAME [--config FILE]",
		help: `Disables an account: it can no longer log in, its open console sessions end
at their next request and its API tokens are refused. Nothing is deleted;
the audit log keeps its name.

Example:
  deputybot user disable zhangwei`,
	}
	disable.run = func(ctx context.Context, e *env, args []string) int {
		fs := disable.flags(e)
		path := configFlag(fs)
		username, code, ok := fileArg(disable, e, fs, args)
		if !ok {
			return code
		}
		return withAccount(ctx, e, *path, username, func(s *core.Staff, a model.Account) int {
			if _, err := s.SetDisabledAs(ctx, core.CLIActor(model.Account{}, osUser(e)), a.ID, true); err != nil {
				return staffError(e, err)
			}
			fmt.Fprintf(e.stdout, "disabled %s\n", a.Username)
			return exitOK
		})
	}
	register(disable)

	list := &command{
		name: "user list", summary: "list the console / API accounts",
		usage: "[--config FILE]",
		help: `Lists every account with its role, unit, state and last login.

Example:
  deputybot user list`,
	}
	list.run = func(ctx context.Context, e *env, args []string) int {
		fs := list.flags(e)
		path := configFlag(fs)
		if code, ok := list.parse(e, fs, args); !ok {
			return code
		}
		return withStaff(ctx, e, *path, func(s *core.Staff) int {
			as, err := s.List(ctx)
			if err != nil {
				return staffError(e, err)
			}
			for _, a := range as {
				state, last := "active", "never"
				if a.Disabled {
					state = "disabled"
				}
				if a.LastLoginAt != nil {
					last = a.LastLoginAt.Local().Format("2006-01-02 15:04")
				}
				fmt.Fprintf(e.stdout, "%-20s %-9s %-8s %-20s last login %s\n", a.Username, a.Role, state, a.Unit, last)
			}
			return exitOK
		})
	}
	register(list)
}

// readPassword reads the first line of stdin.
func readPassword(e *env) (string, bool) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(e.stderr, "deputybot: read password: %v\n", err)
		return "", false
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		fmt.Fprintln(e.stderr, "deputybot: --password-stdin: standard input is empty")
		return "", false
	}
	return line, true
}

func withStaff(ctx context.Context, e *env, cfgPath string, fn func(*core.Staff) int) int {
	return withServices(ctx, e, cfgPath, func(svc *core.Services, _ *storage.DB, _ config.Config) int {
		return fn(svc.Staff)
	})
}

// withAccount resolves USERNAME to its account.
func withAccount(ctx context.Context, e *env, cfgPath, username string, fn func(*core.Staff, model.Account) int) int {
	return withStaff(ctx, e, cfgPath, func(s *core.Staff) int {
		a, err := s.GetByUsername(ctx, username)
		if errors.Is(err, model.ErrNotFound) {
			fmt.Fprintf(e.stderr, "no account %q (see deputybot user list)\n", username)
			return exitFailure
		}
		if err != nil {
			return staffError(e, err)
		}
		return fn(s, a)
	})
}

// staffError prints what is wrong: every field of a validation error.
func staffError(e *env, err error) int {
	var verr core.ValidationError
	if errors.As(err, &verr) {
		for _, fe := range verr {
			fmt.Fprintf(e.stderr, "%s: %s\n", fe.Label, fe.Msg)
		}
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "deputybot: %v\n", err)
	return exitFailure
}
