package handlers

import (
	"errors"
	"net/http"
	"strings"

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
	_, err := s.d.Services.Settings.SaveMenuAs(r.Context(), core.StaffActor(me, core.ViaConsole), []byte(raw), configuredMenu(currentSettingsDeps().cfg))
	if msg, ok := menuProblem(err); ok {
		return s.renderSettings(w, r, me, http.StatusUnprocessableEntity, settingsView{Menu: raw, MenuError: msg})
	} else if err != nil {
		return err
	}
	s.flash(r, "菜单已保存。点击“同步到微信”后，代表在微信中看到的菜单才会更新。")
	http.Redirect(w, r, "/admin/settings#menu", http.StatusSeeOther)
	return nil
}

func settingsResetMenu(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if err := s.d.Services.Settings.ResetMenuAs(r.Context(), core.StaffActor(me, core.ViaConsole), configuredMenu(currentSettingsDeps().cfg)); err != nil {
		return err
	}
	s.flash(r, "已恢复为配置文件中的菜单。如需在微信中生效，请再同步到微信。")
	http.Redirect(w, r, "/admin/settings#menu", http.StatusSeeOther)
	return nil
}

// errNoMenuSync is shown when the server was started without a WeChat
// client for the console.
var errNoMenuSync = &httpError{http.StatusServiceUnavailable,
	"本服务未接入微信接口，无法从管理后台同步菜单。请在服务器上运行 deputybot menu sync。"}

// syncMenu sends the current menu (saved, else configured) to WeChat;
// core records the attempt, whatever WeChat answered.
func (s *server) syncMenu(r *http.Request, me model.Account) (string, error) {
	sync := currentSettingsDeps().sync
	if sync == nil {
		return "", errNoMenuSync
	}
	_, answer, err := s.d.Services.Menus.Sync(r.Context(), core.StaffActor(me, core.ViaConsole), configuredMenu(currentSettingsDeps().cfg), core.MenuSender(sync))
	if errors.Is(err, core.ErrMenuRefused) {
		s.d.Log.Warn("admin: menu sync failed", "err", err, "request_id", requestID(r.Context()))
		return "", &httpError{http.StatusBadGateway, "微信未接受菜单：" + truncateRunes(strings.TrimPrefix(err.Error(), core.ErrMenuRefused.Error()+": "), 200)}
	}
	return answer, err
}

func settingsSyncMenu(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if _, err := s.syncMenu(r, me); err != nil {
		return err
	}
	s.flash(r, "菜单已同步到微信。微信客户端可能需要数分钟才显示新菜单。")
	http.Redirect(w, r, "/admin/settings#menu", http.StatusSeeOther)
	return nil
}
