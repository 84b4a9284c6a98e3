package handlers

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/settings/delivery", admins, settingsSaveDelivery)
	consoleRoute(http.MethodPost, "/admin/settings/delivery/reset", admins, settingsResetDelivery)
}

// reloadDelivery makes this instance's dispatcher use the change at once
// (others within 30 s).
func (s *server) reloadDelivery() {
	if s.d.Outbox != nil {
		s.d.Outbox.ReloadDelivery()
	}
}

func settingsSaveDelivery(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	form := deliveryForm{Typed: true,
		Quiet: strings.TrimSpace(r.PostFormValue("quiet_hours")),
		Rate:  strings.TrimSpace(r.PostFormValue("rate_per_second"))}
	set := model.DeliverySetting{QuietHours: strings.NewReplacer("：", ":", "－", "-", "—", "-", "～", "-", "~", "-").Replace(form.Quiet)}
	rate, err := strconv.ParseFloat(form.Rate, 64)
	if err != nil || math.IsNaN(rate) || math.IsInf(rate, 0) {
		form.ErrRate = "请填写数字，如 20"
	} else {
		set.RatePerSecond = rate
	}
	errs := core.ValidateDelivery(set)
	for _, e := range errs {
		switch e.Key {
		case "quiet_hours":
			form.ErrQuiet = e.Msg
		case "rate_per_second":
			if form.ErrRate == "" {
				form.ErrRate = e.Msg
			}
		}
	}
	if form.ErrQuiet != "" || form.ErrRate != "" {
		form.Error = "发送设置有误，未保存。请按提示修改。"
		return s.renderSettings(w, r, me, http.StatusUnprocessableEntity, settingsView{Delivery: form})
	}
	if err := s.d.Services.Settings.SaveDeliveryAs(r.Context(), core.StaffActor(me, core.ViaConsole), set, configuredSettings().Delivery); err != nil {
		return err
	}
	s.reloadDelivery()
	s.flash(r, "发送设置已保存，30 秒内对所有实例生效。")
	http.Redirect(w, r, "/admin/settings#delivery", http.StatusSeeOther)
	return nil
}

func settingsResetDelivery(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if err := s.d.Services.Settings.ResetDeliveryAs(r.Context(), core.StaffActor(me, core.ViaConsole), configuredSettings().Delivery); err != nil {
		return err
	}
	s.flash(r, "发送设置已恢复为配置文件中的值，30 秒内对所有实例生效。")
	http.Redirect(w, r, "/admin/settings#delivery", http.StatusSeeOther)
	return nil
}
