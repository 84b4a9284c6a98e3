package cli

import (
	"context"
	"fmt"

	"deputybot/bot"
)

func init() {
	c := &command{
		name: "menu sync", summary: "create the account's custom menu from the configuration",
		usage: "[--dry-run] [--config FILE]",
		help: `Sends the custom menu (wechat.menu, or the default 学习材料 | 会议活动 |
我的 ▸ 我的建议, 意见反馈, 绑定/帮助) to WeChat, printing what it sent and
WeChat's answer. --dry-run prints the menu without sending it.

Example:
  deputybot menu sync --config /etc/deputybot.yaml`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := c.flags(e)
		path := configFlag(fs)
		dry := fs.Bool("dry-run", false, "print the menu, do not send it")
		if code, ok := c.parse(e, fs, args); !ok {
			return code
		}
		cfg, ok := loadConfig(e, *path)
		if !ok {
			return exitUsage
		}
		body := bot.MenuJSON(cfg.WeChat.Menu)
		fmt.Fprintf(e.stdout, "menu:\n%s\n", body)
		if *dry {
			return exitOK
		}
		if cfg.Simulated() {
			fmt.Fprintln(e.stderr, "deputybot menu sync: no wechat.app_id is configured; in simulator mode `serve` creates the menu itself.")
			return exitUsage
		}
		db, ok := openDB(ctx, e, cfg, true)
		if !ok {
			return exitFailure
		}
		defer db.Close()
		client, err := bot.NewClient(bot.ClientConfig{AppID: cfg.WeChat.AppID, AppSecret: cfg.WeChat.AppSecret, APIBase: cfg.WeChat.APIBase}, db)
		if err != nil {
			fmt.Fprintf(e.stderr, "deputybot menu sync: %v\n", err)
			return exitFailure
		}
		answer, err := client.CreateMenu(ctx, body)
		fmt.Fprintf(e.stdout, "WeChat answered: %s\n", answer)
		if err != nil {
			fmt.Fprintf(e.stderr, "deputybot menu sync: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	register(c)
}
