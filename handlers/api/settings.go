package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// SettingsSource is what the settings routes need beyond core.
type SettingsSource = httpkit.SettingsSource

type template struct {
	ID     string            `json:"id"`
	Fields map[string]string `json:"fields"`
}

type templateKind struct {
	Kind       string    `json:"kind"`
	Label      string    `json:"label"`
	Configured *template `json:"configured"` // from the configuration file; null when none
	Override   *template `json:"override"`   // saved here; null follows the configuration
}

type deliverySettings struct {
	QuietHours    string  `json:"quiet_hours"`
	RatePerSecond float64 `json:"rate_per_second"`
}

type settingsOut struct {
	Templates []templateKind  `json:"templates"`
	Menu      json.RawMessage `json:"menu"`       // menu/create body sync would send
	MenuSaved bool            `json:"menu_saved"` // false: the configured (or default) menu
	CanSync   bool            `json:"menu_sync_available"`
	// Delivery is the configuration file's (read-only here); null when
	// the server did not pass its configuration.
	Delivery *deliverySettings `json:"delivery"`
}

func settingsGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	src := s.settings()
	conf := src.Configured()
	saved, err := s.core.Settings.Templates(r.Context())
	if err != nil {
		return err
	}
	var out settingsOut
	for _, kind := range model.NoticeKinds() {
		k := templateKind{Kind: kind, Label: model.KindLabels[kind]}
		if t, ok := conf.Templates[kind]; ok {
			k.Configured = &template{ID: t.ID, Fields: t.Fields}
		}
		if t, ok := saved[kind]; ok {
			k.Override = &template{ID: t.ID, Fields: t.Fields}
		}
		out.Templates = append(out.Templates, k)
	}
	menu, menuSaved, err := s.core.Settings.CurrentMenu(r.Context(), conf.Menu)
	if err != nil {
		return err
	}
	out.Menu, out.MenuSaved, out.CanSync = menu, menuSaved, src.MenuSender() != nil
	if d := conf.Delivery; d != nil {
		out.Delivery = &deliverySettings{QuietHours: d.QuietHours, RatePerSecond: d.RatePerSecond}
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// settingsPutTemplates replaces every override:
// {"templates": {"<kind>": {"id": …, "fields": {…}}}}; a kind left out
// follows the configuration, {} removes them all. An ID the account does
// not have is refused (422, field templates.<kind>.id), as in the console.
func settingsPutTemplates(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in struct {
		Templates map[string]template `json:"templates"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m := make(map[string]model.TemplateSetting, len(in.Templates))
	for kind, t := range in.Templates {
		m[kind] = model.TemplateSetting{ID: t.ID, Fields: t.Fields}
	}
	if _, err := s.core.Settings.SaveTemplatesAs(r.Context(), by, m); err != nil {
		return err
	}
	s.settings().ReloadTemplates()
	return settingsGet(s, w, r, by)
}

// settingsPutMenu stores the body, a menu/create body ({"button": …}).
func settingsPutMenu(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return tooLarge("请求体过大（最多 1 MB）")
	} else if err != nil {
		return badRequest("请求体读取失败")
	}
	if _, err := s.core.Settings.SaveMenuAs(r.Context(), by, raw, s.settings().Configured().Menu); err != nil {
		return menuError(err)
	}
	return settingsGet(s, w, r, by)
}

// menuError keys a menu's validation problems by the one field, menu.
func menuError(err error) error {
	verr, ok := core.Fields(err)
	if !ok {
		return err
	}
	msg := ""
	for _, e := range verr {
		if msg != "" {
			msg += "；"
		}
		msg += e.Msg
	}
	return &core.FieldError{Key: "menu", Label: "自定义菜单", Msg: msg}
}

func settingsResetMenu(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if err := s.core.Settings.ResetMenuAs(r.Context(), by, s.settings().Configured().Menu); err != nil {
		return err
	}
	return settingsGet(s, w, r, by)
}

func settingsSyncMenu(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	src := s.settings()
	send := src.MenuSender()
	if send == nil {
		return &status{http.StatusServiceUnavailable, "本服务未接入微信接口，无法从管理后台同步菜单。请在服务器上运行 deputybot menu sync。"}
	}
	_, answer, err := s.core.Menus.Sync(r.Context(), by, src.Configured().Menu, send)
	if errors.Is(err, core.ErrMenuRefused) {
		s.d.Log.Warn("api: menu sync failed", "err", err, "request_id", httpkit.RequestID(r.Context()))
		return &status{http.StatusBadGateway, "微信未接受菜单：" + truncate(err.Error(), 200)}
	} else if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]string{"result": "ok", "wechat_answer": answer})
	return nil
}

// deliveryState is the delivery setting in force: saved here, or (saved
// false) the configuration file's, null when the server did not pass its
// configuration.
type deliveryState struct {
	Saved         bool     `json:"saved"`
	QuietHours    *string  `json:"quiet_hours"`
	RatePerSecond *float64 `json:"rate_per_second"`
}

func (s *server) writeDelivery(w http.ResponseWriter, r *http.Request) error {
	saved, err := s.core.Settings.Delivery(r.Context())
	if errors.Is(err, model.ErrNotFound) {
		var out deliveryState
		if d := s.settings().Configured().Delivery; d != nil {
			q, rate := d.QuietHours, d.RatePerSecond
			out.QuietHours, out.RatePerSecond = &q, &rate
		}
		httpkit.WriteJSON(w, http.StatusOK, out)
		return nil
	} else if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, deliveryState{Saved: true, QuietHours: &saved.QuietHours, RatePerSecond: &saved.RatePerSecond})
	return nil
}

// settingsPutDelivery saves quiet hours and the send rate over the
// configuration file's: {"quiet_hours": "22:00-07:00", "rate_per_second": 20}
// ("" for no quiet hours).
func settingsPutDelivery(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
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
	src := s.settings()
	if err := s.core.Settings.SaveDeliveryAs(r.Context(), by, set, src.Configured().Delivery); err != nil {
		return err
	}
	src.ReloadDelivery()
	return s.writeDelivery(w, r)
}

// settingsResetDelivery drops the saved setting: the configuration
// file's quiet hours and rate apply again.
func settingsResetDelivery(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	src := s.settings()
	if err := s.core.Settings.ResetDeliveryAs(r.Context(), by, src.Configured().Delivery); err != nil {
		return err
	}
	src.ReloadDelivery()
	return s.writeDelivery(w, r)
}
