package cli

import (
	"context"
	"errors"
	"fmt"

	"deputybot/bot"
	"deputybot/config"
	"deputybot/core"
	"deputybot/storage"
)

func init() {
	c := &command{
		name: "menu sync", summary: "send the account's custom menu to WeChat",
		usage: "[--dry-run] [--as USERNAME] [--config FILE]",
		help: `Sends the custom menu to WeChat: the one saved in the console's settings,
else wechat.menu, else the default (学习材料 | 会议活动 | 我的 ▸ 我的建议,
意见反馈, 绑定/帮助; 学习材料 opens the H5 list of materials when
http.public_url is set), printing what it sent and WeChat's answer. The audit
log records the attempt, naming the --as account (an administrator) or you.
--dry-run prints the menu without sending it.

Example:
  deputybot menu sync --config /etc/deputybot.yaml`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := c.flags(e)
		path := configFlag(fs)
		dry := fs.Bool("dry-run", false, "print the menu, do not send it")
		as := asFlag(fs)
		if code, ok := c.parse(e, fs, args); !ok {
			return code
		}
		cfg, ok := loadConfig(e, *path)
		if !ok {
			return exitUsage
		}
		if cfg.Simulated() && !*dry {
			fmt.Fprintln(e.stderr, "deputybot menu sync: no wechat.app_id is configured; in simulator mode `serve` creates the menu itself.")
			return exitUsage
		}
		return withServices(ctx, e, *path, func(svc *core.Services, db *storage.DB, cfg config.Config) int {
			configured := bot.MenuJSON(cfg.WeChat.Menu, cfg.HTTP.PublicURL)
			if *dry {
				menu, _, err := svc.Menus.Current(ctx, configured)
				if err != nil {
					return refused(e, c.name, err)
				}
				fmt.Fprintf(e.stdout, "menu:\n%s\n", menu)
				return exitOK
			}
			by, ok := operator(ctx, e, svc, *as)
			if !ok {
				return exitUsage
			}
			client, err := bot.NewClient(bot.ClientConfig{AppID: cfg.WeChat.AppID, AppSecret: cfg.WeChat.AppSecret, APIBase: cfg.WeChat.APIBase}, db)
			if err != nil {
				fmt.Fprintf(e.stderr, "deputybot menu sync: %v\n", err)
				return exitFailure
			}
			menu, answer, err := svc.Menus.Sync(ctx, by, configured, client.CreateMenu)
			if menu != nil {
				fmt.Fprintf(e.stdout, "menu:\n%s\n", menu)
			}
			if err == nil || errors.Is(err, core.ErrMenuRefused) {
				fmt.Fprintf(e.stdout, "WeChat answered: %s\n", answer)
			}
			if err != nil {
				return refused(e, c.name, err)
			}
			return exitOK
		})
	}
	register(c)
}
