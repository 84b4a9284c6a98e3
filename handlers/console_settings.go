package handlers

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync/atomic"

	"deputybot/bot"
	"deputybot/config"
	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/settings", admins, settingsShow) }

// MenuSyncer creates the account's custom menu on WeChat from the body of
// menu/create and returns WeChat's answer (bot.Client.CreateMenu).
type MenuSyncer func(ctx context.Context, menuJSON []byte) (string, error)

// settingsDeps is what the settings page needs beyond AdminDeps.
type settingsDeps struct {
	cfg  *config.Config
	sync MenuSyncer
}

var runtimeSettings atomic.Pointer[settingsDeps]

// SetSettingsDeps gives the settings page the effective configuration
// (shown with secrets masked: its templates, menu, quiet hours and rate
// limit) and the WeChat client's menu sync. Either may be nil: the page
// then says what it cannot show or do. serve calls it once at start.
func SetSettingsDeps(cfg *config.Config, sync MenuSyncer) {
	runtimeSettings.Store(&settingsDeps{cfg: cfg, sync: sync})
}

func currentSettingsDeps() settingsDeps {
	if d := runtimeSettings.Load(); d != nil {
		return *d
	}
	return settingsDeps{}
}

// settingsView is the settings page.
type settingsView struct {
	Templates      []templateRow
	TemplateErrors string // problems of no particular row
	Fields         []string
	FieldLabels    map[string]string

	Menu       string // JSON in the textarea
	MenuSource string // where the shown menu comes from
	MenuSaved  bool
	MenuError  string
	CanSync    bool

	HasConfig                 bool
	QuietHours, RatePerSecond string // as configured
	DailyQuota                int
	Dump                      string

	Delivery deliveryForm
}

// deliveryForm is the quiet hours and rate form: the saved values (or the
// configured ones when none are saved), or what was typed.
type deliveryForm struct {
	Quiet, Rate       string
	Saved             bool // an override is saved
	ErrQuiet, ErrRate string
	Error             string
	Typed             bool // Quiet and Rate are what was typed
}

// templateRow is one notice kind: what the configuration says, and the
// console's override as typed.
type templateRow struct {
	Kind, Label            string
	ConfigID, ConfigFields string
	ID, FieldsText         string // the override; empty follows the configuration
	ErrID, ErrFields       string
}

// noticeKinds lists the notice kinds in the order the settings show them.
func noticeKinds() []string {
	kinds := make([]string, 0, len(model.KindLabels))
	for _, o := range campaignNoticeKinds() {
		kinds = append(kinds, o.Value)
	}
	for k := range model.KindLabels {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// templateRows builds the table from the saved overrides.
func templateRows(cfg *config.Config, saved map[string]model.TemplateSetting) []templateRow {
	var rows []templateRow
	for _, kind := range noticeKinds() {
		row := templateRow{Kind: kind, Label: model.KindLabels[kind]}
		if cfg != nil {
			if t, ok := cfg.WeChat.Templates[kind]; ok {
				row.ConfigID, row.ConfigFields = t.ID, core.FormatTemplateFields(t.Fields)
			}
		}
		if t, ok := saved[kind]; ok {
			row.ID, row.FieldsText = t.ID, core.FormatTemplateFields(t.Fields)
		}
		rows = append(rows, row)
	}
	return rows
}

// configuredSettings is what applies when nothing is saved in the
// console: the configuration file's templates, menu and delivery.
func configuredSettings() core.ConfiguredSettings {
	cfg := currentSettingsDeps().cfg
	out := core.ConfiguredSettings{Menu: configuredMenu(cfg)}
	if cfg != nil {
		out.Templates = make(map[string]model.TemplateSetting, len(cfg.WeChat.Templates))
		for kind, t := range cfg.WeChat.Templates {
			out.Templates[kind] = model.TemplateSetting{ID: t.ID, Fields: t.Fields}
		}
		out.Delivery = &model.DeliverySetting{QuietHours: cfg.Delivery.QuietHours, RatePerSecond: cfg.Delivery.RatePerSecond}
	}
	return out
}

// settingsSource gives the api package's settings routes the
// configuration (SetSettingsDeps) and this instance's outbox.
type settingsSource struct{ s *server }

func (x settingsSource) Configured() core.ConfiguredSettings { return configuredSettings() }

func (x settingsSource) MenuSender() core.MenuSender {
	if sync := currentSettingsDeps().sync; sync != nil {
		return core.MenuSender(sync)
	}
	return nil
}

func (x settingsSource) ReloadTemplates() {
	if x.s.d.Outbox != nil {
		x.s.d.Outbox.ReloadTemplates()
	}
}

func (x settingsSource) ReloadDelivery() {
	if x.s.d.Outbox != nil {
		x.s.d.Outbox.ReloadDelivery()
	}
}

// configuredMenu is the menu as the configuration gives it (the built-in
// default when it gives none).
func configuredMenu(cfg *config.Config) []byte {
	if cfg == nil {
		return bot.MenuJSON(nil, "")
	}
	return bot.MenuJSON(cfg.WeChat.Menu, cfg.HTTP.PublicURL)
}

// currentMenu is the menu sync would send: the saved one, else the
// configured one.
func (s *server) currentMenu(ctx context.Context) (menu []byte, saved bool, err error) {
	return s.d.Services.Settings.CurrentMenu(ctx, configuredMenu(currentSettingsDeps().cfg))
}

// renderSettings fills in what v leaves empty and shows the page.
func (s *server) renderSettings(w http.ResponseWriter, r *http.Request, me model.Account, status int, v settingsView) error {
	ctx := r.Context()
	deps := currentSettingsDeps()
	if v.Templates == nil {
		saved, err := s.d.Services.Settings.Templates(ctx)
		if err != nil {
			return err
		}
		v.Templates = templateRows(deps.cfg, saved)
	}
	v.Fields, v.FieldLabels = core.TemplateFields, core.TemplateFieldLabels
	current, saved, err := s.currentMenu(ctx)
	if err != nil {
		return err
	}
	v.MenuSaved = saved
	v.MenuSource = "配置文件中的菜单（wechat.menu，未配置时为内置默认菜单）"
	if saved {
		v.MenuSource = "在本页保存的菜单"
	}
	if v.Menu == "" {
		v.Menu = string(current)
	}
	v.CanSync = deps.sync != nil
	if cfg := deps.cfg; cfg != nil {
		v.HasConfig = true
		v.QuietHours = cfg.Delivery.QuietHours
		v.RatePerSecond = formatRate(cfg.Delivery.RatePerSecond)
		v.DailyQuota = cfg.Delivery.DailyQuota
		v.Dump = cfg.Dump()
	}
	delivery, err := s.d.Services.Settings.Delivery(ctx)
	switch {
	case err == nil:
		v.Delivery.Saved = true
		if !v.Delivery.Typed {
			v.Delivery.Quiet, v.Delivery.Rate = delivery.QuietHours, formatRate(delivery.RatePerSecond)
		}
	case errors.Is(err, model.ErrNotFound):
		if !v.Delivery.Typed {
			v.Delivery.Quiet, v.Delivery.Rate = v.QuietHours, v.RatePerSecond
		}
	default:
		return err
	}
	s.render(w, r, status, "settings", page{Title: "设置", Nav: "settings", Me: me, Data: v})
	return nil
}

func formatRate(r float64) string { return core.FormatRate(r) }

func settingsShow(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.renderSettings(w, r, me, http.StatusOK, settingsView{})
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
