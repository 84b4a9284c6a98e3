package handlers

import (
	"errors"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodPut, "/api/v1/settings/delivery", admins, apiSettingsPutDelivery)
	apiRoute(http.MethodDelete, "/api/v1/settings/delivery", admins, apiSettingsResetDelivery)
}

// apiDeliveryState is the delivery setting in force: saved here, or
// (saved false) the configuration file's, null when the server did not
// pass its configuration.
type apiDeliveryState struct {
	Saved         bool     `json:"saved"`
	QuietHours    *string  `json:"quiet_hours"`
	RatePerSecond *float64 `json:"rate_per_second"`
}

func (s *server) apiDelivery(r *http.Request) (apiDeliveryState, error) {
	saved, err := core.NewSettings(s.d.DB).Delivery(r.Context())
	if errors.Is(err, model.ErrNotFound) {
		var out apiDeliveryState
		if cfg := currentSettingsDeps().cfg; cfg != nil {
			q, rate := cfg.Delivery.QuietHours, cfg.Delivery.RatePerSecond
			out.QuietHours, out.RatePerSecond = &q, &rate
		}
		return out, nil
	} else if err != nil {
		return apiDeliveryState{}, err
	}
	return apiDeliveryState{Saved: true, QuietHours: &saved.QuietHours, RatePerSecond: &saved.RatePerSecond}, nil
}

// apiSettingsPutDelivery saves quiet hours and the send rate over the
// configuration file's: {"quiet_hours": "22:00-07:00", "rate_per_second": 20}
// ("" for no quiet hours). Every instance uses it within 30 s.
func apiSettingsPutDelivery(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in struct {
		QuietHours    string   `json:"quiet_hours"`
		RatePerSecond *float64 `json:"rate_per_second"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	set := model.DeliverySetting{QuietHours: in.QuietHours}
	if in.RatePerSecond != nil {
		set.RatePerSecond = *in.RatePerSecond
	}
	ident := func(f string) string { return f }
	if errs := core.ValidateDelivery(set); len(errs) > 0 {
		return writeAPIValidation(w, errs, ident)
	}
	before, err := s.deliverySummary(r)
	if err != nil {
		return err
	}
	if err := core.NewSettings(s.d.DB).SaveDelivery(r.Context(), set); err != nil {
		return writeAPIValidation(w, err, ident)
	}
	s.reloadDelivery()
	after, err := s.deliverySummary(r)
	if err != nil {
		return err
	}
	s.audit(r, me, "settings.delivery", "settings/delivery", "发送设置：之前 "+before+"；之后 "+after)
	out, err := s.apiDelivery(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiSettingsResetDelivery drops the saved setting: the configuration
// file's quiet hours and rate apply again.
func apiSettingsResetDelivery(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
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
	out, err := s.apiDelivery(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
