package handlers

import (
	"context"

	"deputybot/bot"
	"deputybot/config"
	"deputybot/core"
	"deputybot/model"
	"deputybot/notify"
)

// MenuSyncer creates the account's custom menu on WeChat from the body of
// menu/create and returns WeChat's answer (bot.Client.CreateMenu).
type MenuSyncer func(ctx context.Context, menuJSON []byte) (string, error)

// settingsSource gives the console's and the API's settings the
// configuration (nil: none), the WeChat client's menu sync (nil: none)
// and this instance's outbox (nil: none).
type settingsSource struct {
	cfg    *config.Config
	sync   MenuSyncer
	outbox *notify.Outbox
}

// Configured is what applies when nothing is saved in the console: the
// configuration file's templates, menu and delivery.
func (x settingsSource) Configured() core.ConfiguredSettings {
	cfg := x.cfg
	if cfg == nil {
		return core.ConfiguredSettings{Menu: bot.MenuJSON(nil, "")}
	}
	out := core.ConfiguredSettings{Menu: bot.MenuJSON(cfg.WeChat.Menu, cfg.HTTP.PublicURL)}
	out.Templates = make(map[string]model.TemplateSetting, len(cfg.WeChat.Templates))
	for kind, t := range cfg.WeChat.Templates {
		out.Templates[kind] = model.TemplateSetting{ID: t.ID, Fields: t.Fields}
	}
	out.Delivery = &model.DeliverySetting{QuietHours: cfg.Delivery.QuietHours, RatePerSecond: cfg.Delivery.RatePerSecond}
	return out
}

func (x settingsSource) MenuSender() core.MenuSender {
	if x.sync == nil {
		return nil
	}
	return core.MenuSender(x.sync)
}

func (x settingsSource) ReloadTemplates() {
	if x.outbox != nil {
		x.outbox.ReloadTemplates()
	}
}

func (x settingsSource) ReloadDelivery() {
	if x.outbox != nil {
		x.outbox.ReloadDelivery()
	}
}
