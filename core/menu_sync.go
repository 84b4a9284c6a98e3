package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"deputybot/model"
)

// Menus sends the account's custom menu to WeChat: the menu saved in the
// console's settings, else the configured one. The console, the API and
// `deputybot menu sync` all go through Sync, so each sends the same menu
// and leaves the same audit entry.
type Menus struct{ *env }

// MenuSender creates the custom menu on WeChat from the body of
// menu/create and returns WeChat's answer (bot.Client.CreateMenu).
type MenuSender func(ctx context.Context, menuJSON []byte) (answer string, err error)

// ErrMenuRefused wraps WeChat's refusal of a menu.
var ErrMenuRefused = errors.New("core: WeChat refused the menu")

// Current returns the menu Sync would send: the saved one (saved is
// true), else configured.
func (m *Menus) Current(ctx context.Context, configured []byte) (menu []byte, saved bool, err error) {
	menu, err = m.db.MenuSetting(ctx)
	if errors.Is(err, model.ErrNotFound) {
		return configured, false, nil
	}
	return menu, err == nil, err
}

// Sync sends the current menu (see Current) through send and audits the
// attempt as by's, whatever WeChat answered: a refusal is audited with
// its reason and returned wrapping ErrMenuRefused.
func (m *Menus) Sync(ctx context.Context, by Actor, configured []byte, send MenuSender) (menu []byte, answer string, err error) {
	if err := by.Require(Admins...); err != nil {
		return nil, "", err
	}
	menu, _, err = m.Current(ctx, configured)
	if err != nil {
		return nil, "", err
	}
	// The request to WeChat is made outside any transaction; its outcome
	// is recorded after.
	answer, sendErr := send(ctx, menu)
	summary := "同步菜单到微信：" + compactJSON(menu)
	if sendErr != nil {
		summary = "同步菜单到微信失败：" + truncateRunes(sendErr.Error(), 200)
	}
	err = m.tx(ctx, func(ctx context.Context) error {
		return m.audit(ctx, by, "settings.menu_sync", "settings/menu", summary)
	})
	if sendErr != nil {
		return menu, answer, fmt.Errorf("%w: %w", ErrMenuRefused, sendErr)
	}
	return menu, answer, err
}

func compactJSON(b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return truncateRunes(string(b), 900)
	}
	return truncateRunes(buf.String(), 900)
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
