package handlers

import (
	"errors"
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

// deliverySummary describes the quiet hours and rate in force for the
// audit log.
func (s *server) deliverySummary(r *http.Request) (string, error) {
	saved, err := core.NewSettings(s.d.DB).Delivery(r.Context())
	if errors.Is(err, model.ErrNotFound) {
		cfg := currentSettingsDeps().cfg
		if cfg == nil {
			return "按配置文件", nil
		}
		return "按配置文件（免打扰 " + orDefault(cfg.Delivery.QuietHours, "无") + "，每秒 " + formatRate(cfg.Delivery.RatePerSecond) + " 条）", nil
	}
	if err != nil {
		return "", err
	}
	return "免打扰 " + orDefault(saved.QuietHours, "无") + "，每秒 " + formatRate(saved.RatePerSecond) + " 条", nil
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
		switch e.Label {
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
	before, err := s.deliverySummary(r)
	if err != nil {
		return err
	}
	if err := core.NewSettings(s.d.DB).SaveDelivery(r.Context(), set); err != nil {
		return err
	}
	s.reloadDelivery()
	after, err := s.deliverySummary(r)
	if err != nil {
		return err
	}
	s.audit(r, me, "settings.delivery", "settings/delivery", "发送设置：之前 "+before+"；之后 "+after)
	s.flash(r, "发送设置已保存，30 秒内对所有实例生效。")
	http.Redirect(w, r, "/admin/settings#delivery", http.StatusSeeOther)
	return nil
}

func settingsResetDelivery(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	before, err := s.deliverySummary(r)
	if err != nil {
		return err
	}
	if err := core.NewSettings(s.d.DB).ResetDelivery(r.Context()); err != nil {
		return err
	}
	s.reloadDelivery()
	after, err := s.deliverySummary(r)
	if err != nil {
		return err
	}
	s.audit(r, me, "settings.delivery", "settings/delivery", "发送设置恢复为配置文件：之前 "+before+"；之后 "+after)
	s.flash(r, "发送设置已恢复为配置文件中的值，30 秒内对所有实例生效。")
	http.Redirect(w, r, "/admin/settings#delivery", http.StatusSeeOther)
	return nil
}
