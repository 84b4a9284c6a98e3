package cli

import (
	"context"
	"fmt"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	c := &command{
		name: "token create", summary: "create an API token for an account",
		usage: "USERNAME --name NAME [--config FILE]",
		help: `Creates a JSON API token acting as the account (with its role) and prints it
once; only its hash is stored. Send it as "Authorization: Bearer dbt_…".
Tokens are listed and revoked in the console (API 令牌).

Example:
  deputybot token create jtt --name 建议办理系统
  curl -H "Authorization: Bearer dbt_…" http://127.0.0.1:8080/api/v1/me`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := c.flags(e)
		path := configFlag(fs)
		name := fs.String("name", "", "what the token is for, e.g. 建议办理系统 (required)")
		username, code, ok := fileArg(c, e, fs, args)
		if !ok {
			return code
		}
		return withAccount(ctx, e, *path, username, func(s *core.Staff, a model.Account) int {
			if a.Disabled {
				fmt.Fprintf(e.stderr, "%s is disabled; its tokens would be refused\n", a.Username)
				return exitFailure
			}
			token, _, err := s.CreateTokenAs(ctx, core.CLIActor(model.Account{}, osUser(e)), a, *name)
			if err != nil {
				return staffError(e, err)
			}
			fmt.Fprintf(e.stdout, "token for %s (%s), shown once:\n%s\n", a.Username, core.RoleLabel(a.Role), token)
			return exitOK
		})
	}
	register(c)
}
