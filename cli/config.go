package cli

import (
	"context"
	"fmt"
	"strings"

	"deputybot/config"
)

func init() {
	c := &command{
		name: "config check", summary: "print the effective configuration and check it",
		usage: "[--config FILE]",
		help: `Loads the defaults, then FILE, then the DEPUTYBOT_* environment variables,
prints the effective configuration with secrets masked, and exits with
code 2 naming every invalid key.

Environment variables: ` + strings.Join(config.EnvKeys(), ", ") + `

Example:
  DEPUTYBOT_DATABASE_DRIVER=mysql deputybot config check --config /etc/deputybot.yaml`,
	}
	c.run = func(_ context.Context, e *env, args []string) int {
		fs := c.flags(e)
		path := configFlag(fs)
		if code, ok := c.parse(e, fs, args); !ok {
			return code
		}
		cfg, err := config.Load(*path, e.environ)
		if err != nil {
			fmt.Fprintf(e.stderr, "deputybot: invalid configuration:\n%s\n", indent(err.Error()))
			return exitUsage
		}
		fmt.Fprint(e.stdout, cfg.Dump())
		if err := cfg.Validate(); err != nil {
			fmt.Fprintf(e.stderr, "deputybot: invalid configuration:\n%s\n", indent(err.Error()))
			return exitUsage
		}
		mode := "WeChat account " + cfg.WeChat.AppID
		if cfg.Simulated() {
			mode = "simulator mode (no wechat.app_id)"
		}
		fmt.Fprintf(e.stderr, "configuration OK: %s database, %s\n", cfg.Database.Driver, mode)
		return exitOK
	}
	register(c)
}
