package handlers

import (
	"errors"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/settings/menu", admins, settingsSaveMenu)
	consoleRoute(http.MethodPost, "/admin/settings/menu/reset", admins, settingsResetMenu)
	consoleRoute(http.MethodPost, "/admin/settings/menu/sync", admins, settingsSyncMenu)
}

// menuProblem returns the message of a menu validation error.
func menuProblem(err error) (string, bool) {
	var verr core.ValidationError
	if !errors.As(err, &verr) {
		return "", false
	}
	msg := ""
	for _, e := range verr {
		if msg != "" {
			msg += "；"
		}
		msg += e.Msg
	}
	return msg, true
}

func settingsSaveMenu(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	raw := r.PostFormValue("menu")
	before, _, err := s.currentMenu(r.Context())
	if err != nil {
		return err
	}
	menu, err := core.NewSettings(s.d.DB).SaveMenu(r.Context(), []byte(raw))
	if msg, ok := menuProblem(err); ok {
		return s.renderSettings(w, r, me, http.StatusUnprocessableEntity, settingsView{Menu: raw, MenuError: msg})
	} else if err != nil {
		return err
	}
	s.audit(r, me, "settings.menu", "settings/menu", "自定义菜单：之前 "+compactJSON(before)+"；之后 "+compactJSON(menu))
	s.flash(r, "菜单已保存。点击“同步到微信”后，代表在微信中看到的菜单才会更新。")
	http.Redirect(w, r, "/admin/settings#menu", http.StatusSeeOther)
	return nil
}

func settingsResetMenu(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	before, _, err := s.currentMenu(r.Context())
	if err != nil {
		return err
	}
	if err := core.NewSettings(s.d.DB).ResetMenu(r.Context()); err != nil {
		return err
	}
	s.audit(r, me, "settings.menu", "settings/menu", "自定义菜单恢复为配置文件中的菜单；之前 "+compactJSON(before))
	s.flash(r, "已恢复为配置文件中的菜单。如需在微信中生效，请再同步到微信。")
	http.Redirect(w, r, "/admin/settings#menu", http.StatusSeeOther)
	return nil
}

// errNoMenuSync is shown when the server was started without a WeChat
// client for the console.
var errNoMenuSync = &httpError{http.StatusServiceUnavailable,
	"本服务未接入微信接口，无法从管理后台同步菜单。请在服务器上运行 deputybot menu sync。"}

// syncMenu sends the current menu (saved, else configured) to WeChat and
// records the attempt, whatever WeChat answered.
func (s *server) syncMenu(r *http.Request, me model.Account) (string, error) {
	sync := currentSettingsDeps().sync
	if sync == nil {
		return "", errNoMenuSync
	}
	menu, _, err := s.currentMenu(r.Context())
	if err != nil {
		return "", err
	}
	answer, err := sync(r.Context(), menu)
	if err != nil {
		s.d.Log.Warn("admin: menu sync failed", "err", err, "request_id", requestID(r.Context()))
		s.audit(r, me, "settings.menu_sync", "settings/menu", "同步菜单到微信失败："+truncateRunes(err.Error(), 200))
		return "", &httpError{http.StatusBadGateway, "微信未接受菜单：" + truncateRunes(err.Error(), 200)}
	}
	s.audit(r, me, "settings.menu_sync", "settings/menu", "同步菜单到微信："+compactJSON(menu))
	return answer, nil
}

func settingsSyncMenu(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if _, err := s.syncMenu(r, me); err != nil {
		return err
	}
	s.flash(r, "菜单已同步到微信。微信客户端可能需要数分钟才显示新菜单。")
	http.Redirect(w, r, "/admin/settings#menu", http.StatusSeeOther)
	return nil
}
