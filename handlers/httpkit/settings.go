package httpkit

import "deputybot/core"

// SettingsSource is what the settings pages and routes need beyond core:
// the configuration file's values, WeChat's menu endpoint and this
// instance's outbox, which takes a change at once (other instances within
// 30 s).
type SettingsSource interface {
	Configured() core.ConfiguredSettings
	// MenuSender is nil when the server runs without a WeChat client.
	MenuSender() core.MenuSender
	ReloadTemplates()
	ReloadDelivery()
}

// NoSettings is the source of a server given none: nothing configured,
// no WeChat client, nothing to reload.
type NoSettings struct{}

func (NoSettings) Configured() core.ConfiguredSettings { return core.ConfiguredSettings{} }
func (NoSettings) MenuSender() core.MenuSender         { return nil }
func (NoSettings) ReloadTemplates()                    {}
func (NoSettings) ReloadDelivery()                     {}
