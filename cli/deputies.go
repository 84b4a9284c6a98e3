package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"deputybot/config"
	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
)

func init() {
	imp := &command{
		name: "import deputies", summary: "import the deputy registry from .xlsx or .csv",
		usage: "FILE [--skip-invalid] [--as USERNAME] [--config FILE]",
		help: `Reads deputies from an Excel (.xlsx) or CSV file with Chinese column headers
(姓名, 性别, 民族, 出生日期, 代表团, 代表层级, 是否基层代表, 职业, 专业小组, 手机号, 标签)
and adds or updates them, matched on the phone number, or on name and
delegation when there is no phone. The whole file is checked first and every
bad row is listed (第17行 手机号: "abc" 不是有效的手机号码); by default nothing
is written if any row is bad. Importing the same file twice changes nothing.
The audit log records the import with its counts, naming the --as account
or you.

Example:
  deputybot import deputies 代表名册.xlsx
  deputybot import deputies 代表名册.csv --skip-invalid`,
	}
	imp.run = func(ctx context.Context, e *env, args []string) int {
		fs := imp.flags(e)
		path := configFlag(fs)
		skip := fs.Bool("skip-invalid", false, "import the valid rows and list the invalid ones, instead of importing nothing")
		renames := fs.Bool("confirm-renames", false, "allow the file to change the name of deputies bound to WeChat")
		as := asFlag(fs)
		file, code, ok := fileArg(imp, e, fs, args)
		if !ok {
			return code
		}
		return withServices(ctx, e, *path, func(svc *core.Services, _ *storage.DB, _ config.Config) int {
			by, ok := operator(ctx, e, svc, *as)
			if !ok {
				return exitUsage
			}
			start := time.Now()
			rep, err := svc.Deputies.ImportFileAs(ctx, by, file, core.ImportOptions{SkipInvalid: *skip, ConfirmRenames: *renames})
			for _, re := range rep.Errors {
				fmt.Fprintln(e.stderr, re.String())
			}
			if errors.Is(err, model.ErrForbidden) {
				return refused(e, imp.name, err)
			}
			if err != nil {
				fmt.Fprintf(e.stderr, "deputybot import: %v\n", err)
				if errors.Is(err, core.ErrImportInvalid) {
					fmt.Fprintln(e.stderr, "Fix the rows above and import again, or use --skip-invalid to import the valid rows.")
				}
				return exitFailure
			}
			fmt.Fprintf(e.stdout, "%d rows: %d created, %d updated, %d unchanged, %d skipped (%.2fs)\n",
				rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Skipped, time.Since(start).Seconds())
			return exitOK
		})
	}
	register(imp)

	exp := &command{
		name: "export deputies", summary: "export the deputy registry to .xlsx or .csv",
		usage: "FILE [--delegation NAME] [--status active|terminated] [--config FILE]",
		help: `Writes the registry with the same columns the importer reads, so a file
round-trips; two extra columns (状态, 绑定微信) are for reading only.
The format follows the file's extension.

Example:
  deputybot export deputies 代表名册.xlsx --delegation 济南市代表团`,
	}
	exp.run = func(ctx context.Context, e *env, args []string) int {
		fs := exp.flags(e)
		path := configFlag(fs)
		delegation := fs.String("delegation", "", "only this delegation")
		status := fs.String("status", "", "only active or terminated deputies")
		file, code, ok := fileArg(exp, e, fs, args)
		if !ok {
			return code
		}
		if *status != "" && *status != model.StatusActive && *status != model.StatusEnded {
			fmt.Fprintf(e.stderr, "deputybot export: --status must be active or terminated, not %q\n", *status)
			return exitUsage
		}
		return withRegistry(ctx, e, *path, func(reg *core.Registry, _ *storage.DB) int {
			n, err := reg.ExportFile(ctx, file, model.DeputyFilter{Delegation: *delegation, Status: *status})
			if err != nil {
				fmt.Fprintf(e.stderr, "deputybot export: %v\n", err)
				return exitFailure
			}
			fmt.Fprintf(e.stdout, "exported %d deputies to %s\n", n, file)
			return exitOK
		})
	}
	register(exp)

	code := &command{
		name: "deputies bind-code", summary: "issue a 6-digit WeChat binding code for a deputy",
		usage: "NAME|ID [--valid 168h] [--as USERNAME] [--config FILE]",
		help: `Issues a binding code a deputy can send in the WeChat binding conversation
instead of the last four digits of their phone (useful when the phone on
record is wrong or two deputies share a name). It replaces any earlier
code and expires after --valid.

Example:
  deputybot deputies bind-code 王芳
  deputybot deputies bind-code 42 --valid 24h`,
	}
	code.run = func(ctx context.Context, e *env, args []string) int {
		fs := code.flags(e)
		path := configFlag(fs)
		valid := fs.Duration("valid", 7*24*time.Hour, "how long the code stays valid")
		as := asFlag(fs)
		ref, c, ok := fileArg(code, e, fs, args)
		if !ok {
			return c
		}
		return withDeputy(ctx, e, *path, ref, func(svc *core.Services, d model.Deputy) int {
			by, ok := operator(ctx, e, svc, *as)
			if !ok {
				return exitUsage
			}
			_, pin, expires, err := svc.Binding.IssueCode(ctx, by, d.ID, *valid)
			if err != nil {
				return refused(e, code.name, err)
			}
			fmt.Fprintf(e.stdout, "binding code for %s (#%d, %s): %s\nvalid until %s\n", d.Name, d.ID, d.Delegation, pin,
				expires.In(svc.Location()).Format("2006-01-02 15:04"))
			if d.OpenID != "" {
				fmt.Fprintln(e.stdout, "note: this deputy is already bound; unbind first (deputybot deputies unbind) to let another WeChat account bind.")
			}
			return exitOK
		})
	}
	register(code)

	unbind := &command{
		name: "deputies unbind", summary: "remove a deputy's WeChat binding",
		usage: "NAME|ID [--as USERNAME] [--config FILE]",
		help: `Removes the binding between a deputy and a WeChat account, so the deputy can
bind again (for instance from a new phone). Pushes stop until they do.
The audit log records it, naming the --as account or you.

Example:
  deputybot deputies unbind 王芳`,
	}
	unbind.run = func(ctx context.Context, e *env, args []string) int {
		fs := unbind.flags(e)
		path := configFlag(fs)
		as := asFlag(fs)
		ref, c, ok := fileArg(unbind, e, fs, args)
		if !ok {
			return c
		}
		return withDeputy(ctx, e, *path, ref, func(svc *core.Services, d model.Deputy) int {
			by, ok := operator(ctx, e, svc, *as)
			if !ok {
				return exitUsage
			}
			if _, err := svc.Binding.Unbind(ctx, by, d.ID); errors.Is(err, model.ErrConflict) {
				fmt.Fprintf(e.stderr, "%s (#%d) is not bound to WeChat; nothing to do\n", d.Name, d.ID)
				return exitFailure
			} else if err != nil {
				return refused(e, unbind.name, err)
			}
			fmt.Fprintf(e.stdout, "unbound %s (#%d, %s)\n", d.Name, d.ID, d.Delegation)
			return exitOK
		})
	}
	register(unbind)
}

// fileArg parses flags (which may follow the one positional argument) and
// returns that argument.
func fileArg(c *command, e *env, fs *flag.FlagSet, args []string) (string, int, bool) {
	var pos []string
	for len(args) > 0 {
		if code, ok := c.parse(e, fs, args); !ok {
			return "", code, false
		}
		args = fs.Args()
		if len(args) > 0 {
			pos = append(pos, args[0])
			args = args[1:]
		}
	}
	if len(pos) != 1 {
		fmt.Fprintf(e.stderr, "Usage: deputybot %s %s\n(see deputybot %s --help)\n", c.name, c.usage, c.name)
		return "", exitUsage, false
	}
	return pos[0], 0, true
}

func withRegistry(ctx context.Context, e *env, cfgPath string, fn func(*core.Registry, *storage.DB) int) int {
	return withServices(ctx, e, cfgPath, func(svc *core.Services, db *storage.DB, _ config.Config) int {
		return fn(svc.Deputies, db)
	})
}

// withDeputy resolves NAME|ID to exactly one deputy.
func withDeputy(ctx context.Context, e *env, cfgPath, ref string, fn func(*core.Services, model.Deputy) int) int {
	return withServices(ctx, e, cfgPath, func(svc *core.Services, _ *storage.DB, _ config.Config) int {
		ds, err := svc.Deputies.Find(ctx, ref)
		if errors.Is(err, model.ErrNotFound) || (err == nil && len(ds) == 0) {
			fmt.Fprintf(e.stderr, "no deputy %q (give the exact name or the id)\n", ref)
			return exitFailure
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "deputybot: %v\n", err)
			return exitFailure
		}
		if len(ds) > 1 {
			fmt.Fprintf(e.stderr, "%d deputies are called %s; give the id:\n", len(ds), ref)
			for _, d := range ds {
				fmt.Fprintf(e.stderr, "  #%d  %s  %s\n", d.ID, d.Delegation, core.MaskPhone(d.Phone))
			}
			return exitUsage
		}
		return fn(svc, ds[0])
	})
}
