package cli

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"strings"
	"time"

	"deputybot/config"
	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
)

func init() {
	imp := &command{
		name: "materials import", summary: "bulk-load study materials from .xlsx or .csv",
		usage: "FILE [--skip-invalid] [--draft] [--as USERNAME] [--config FILE]",
		help: `Reads study materials (学习材料) from an Excel (.xlsx) or CSV file with Chinese
column headers 标题, 摘要, 链接, 分类 (and 正文, 视频链接 when present) and
publishes them without a push (--draft keeps them as drafts). Each row is
checked as the console checks a material: a title, a link (or a body), a
category from the list; every bad row is listed (第3行 链接: "ftp://x" 应为
http:// 或 https:// 开头的网址) and by default nothing is written if any row
is bad. A title already stored is left as it is, so importing the same
file twice changes nothing. The audit log names the account given with
--as, or the operating-system user.

Example:
  deputybot materials import 学习材料.xlsx --as zhangsan
  deputybot materials import 学习材料.csv --skip-invalid --draft`,
	}
	imp.run = func(ctx context.Context, e *env, args []string) int {
		fs := imp.flags(e)
		path := configFlag(fs)
		skip := fs.Bool("skip-invalid", false, "import the valid rows and list the invalid ones, instead of importing nothing")
		draft := fs.Bool("draft", false, "keep the imported materials as drafts instead of publishing them")
		as := fs.String("as", "", "the staff account the import is recorded as (default: the operating-system user)")
		file, code, ok := fileArg(imp, e, fs, args)
		if !ok {
			return code
		}
		return withServices(ctx, e, *path, func(svc *core.Services, _ *storage.DB, _ config.Config) int {
			by, ok := cliActor(ctx, e, svc, *as)
			if !ok {
				return exitUsage
			}
			start := time.Now()
			rep, err := svc.Materials.ImportFile(ctx, by, file, core.MaterialImportOptions{SkipInvalid: *skip, Draft: *draft})
			for _, re := range rep.Errors {
				fmt.Fprintln(e.stderr, re.String())
			}
			if err != nil {
				fmt.Fprintf(e.stderr, "deputybot materials import: %v\n", err)
				if errors.Is(err, core.ErrImportInvalid) {
					fmt.Fprintln(e.stderr, "Fix the rows above and import again, or use --skip-invalid to import the valid rows.")
				}
				return exitFailure
			}
			fmt.Fprintf(e.stdout, "%d rows: %d created, %d unchanged (already there), %d skipped (%.2fs)\n",
				rep.Rows, rep.Created, rep.Unchanged, rep.Skipped, time.Since(start).Seconds())
			return exitOK
		})
	}
	register(imp)
}

// cliActor is the operator of a command: the staff account named with
// --as (which must exist and be enabled), else the operating-system user.
func cliActor(ctx context.Context, e *env, svc *core.Services, as string) (core.Actor, bool) {
	osUser := "unknown"
	if u, err := user.Current(); err == nil {
		osUser = u.Username
	}
	as = strings.TrimSpace(as)
	if as == "" {
		return core.CLIActor(model.Account{}, osUser), true
	}
	a, err := svc.Staff.GetByUsername(ctx, as)
	if err != nil || a.Disabled {
		fmt.Fprintf(e.stderr, "deputybot: --as %s: no such enabled account (see deputybot user list)\n", as)
		return core.Actor{}, false
	}
	return core.CLIActor(a, osUser), true
}
