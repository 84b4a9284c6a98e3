package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/settings", admins, apiSettingsGet)
	apiRoute(http.MethodPut, "/api/v1/settings/templates", admins, apiSettingsPutTemplates)
	apiRoute(http.MethodPut, "/api/v1/settings/menu", admins, apiSettingsPutMenu)
	apiRoute(http.MethodDelete, "/api/v1/settings/menu", admins, apiSettingsResetMenu)
	apiRoute(http.MethodPost, "/api/v1/settings/menu/sync", admins, apiSettingsSyncMenu)
}

type apiTemplate struct {
	ID     string            `json:"id"`
	Fields map[string]string `json:"fields"`
}

type apiTemplateKind struct {
	Kind       string       `json:"kind"`
	Label      string       `json:"label"`
	Configured *apiTemplate `json:"configured"` // from the configuration file; null when none
	Override   *apiTemplate `json:"override"`   // saved here; null follows the configuration
}

type apiDeliverySettings struct {
	QuietHours    string  `json:"quiet_hours"`
	RatePerSecond float64 `json:"rate_per_second"`
	DailyQuota    int     `json:"daily_quota"`
}

type apiSettings struct {
	Templates []apiTemplateKind `json:"templates"`
	Menu      json.RawMessage   `json:"menu"`       // menu/create body sync would send
	MenuSaved bool              `json:"menu_saved"` // false: the configured (or default) menu
	CanSync   bool              `json:"menu_sync_available"`
	// Delivery is read-only here (set in the configuration file); null
	// when the server did not pass its configuration to the console.
	Delivery *apiDeliverySettings `json:"delivery"`
}

func apiSettingsGet(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	deps := currentSettingsDeps()
	saved, err := core.NewSettings(s.d.DB).Templates(r.Context())
	if err != nil {
		return err
	}
	var out apiSettings
	for _, kind := range noticeKinds() {
		k := apiTemplateKind{Kind: kind, Label: model.KindLabels[kind]}
		if deps.cfg != nil {
			if t, ok := deps.cfg.WeChat.Templates[kind]; ok {
				k.Configured = &apiTemplate{ID: t.ID, Fields: t.Fields}
			}
		}
		if t, ok := saved[kind]; ok {
			k.Override = &apiTemplate{ID: t.ID, Fields: t.Fields}
		}
		out.Templates = append(out.Templates, k)
	}
	menu, menuSaved, err := s.currentMenu(r.Context())
	if err != nil {
		return err
	}
	out.Menu, out.MenuSaved, out.CanSync = menu, menuSaved, deps.sync != nil
	if cfg := deps.cfg; cfg != nil {
		out.Delivery = &apiDeliverySettings{QuietHours: cfg.Delivery.QuietHours, RatePerSecond: cfg.Delivery.RatePerSecond,
			DailyQuota: cfg.Delivery.DailyQuota}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type apiTemplatesInput struct {
	// Templates replaces every override; a kind left out follows the
	// configuration, {} removes them all.
	Templates map[string]apiTemplate `json:"templates"`
}

func apiSettingsPutTemplates(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in apiTemplatesInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m := make(map[string]model.TemplateSetting, len(in.Templates))
	for kind, t := range in.Templates {
		m[kind] = model.TemplateSetting{ID: t.ID, Fields: t.Fields}
	}
	if errs := core.ValidateTemplates(m); len(errs) > 0 {
		body := apiErrorBody{Error: "数据有误，请按 fields 修改后重试"}
		for _, e := range errs {
			kind, field, _ := strings.Cut(e.Label, ".")
			label := orDefault(model.KindLabels[kind], kind) + map[string]string{"id": " 模板 ID", "fields": " 关键词映射"}[field]
			body.Fields = append(body.Fields, apiFieldError{Field: "templates." + e.Label, Label: label, Message: e.Msg})
		}
		writeJSON(w, http.StatusUnprocessableEntity, body)
		return nil
	}
	if err := s.saveTemplates(r, me, m); err != nil {
		return err
	}
	return apiSettingsGet(s, w, r, me)
}

// apiSettingsPutMenu stores the body, a menu/create body ({"button": …}).
func apiSettingsPutMenu(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &httpError{http.StatusRequestEntityTooLarge, "请求体过大（最多 1 MB）"}
	} else if err != nil {
		return badRequest("请求体读取失败")
	}
	before, _, err := s.currentMenu(r.Context())
	if err != nil {
		return err
	}
	menu, err := core.NewSettings(s.d.DB).SaveMenu(r.Context(), raw)
	if msg, ok := menuProblem(err); ok {
		writeJSON(w, http.StatusUnprocessableEntity, apiErrorBody{Error: "菜单有误：" + msg,
			Fields: []apiFieldError{{Field: "menu", Label: "自定义菜单", Message: msg}}})
		return nil
	} else if err != nil {
		return err
	}
	s.audit(r, me, "settings.menu", "settings/menu", "自定义菜单：之前 "+compactJSON(before)+"；之后 "+compactJSON(menu))
	return apiSettingsGet(s, w, r, me)
}

func apiSettingsResetMenu(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	before, _, err := s.currentMenu(r.Context())
	if err != nil {
		return err
	}
	if err := core.NewSettings(s.d.DB).ResetMenu(r.Context()); err != nil {
		return err
	}
	s.audit(r, me, "settings.menu", "settings/menu", "自定义菜单恢复为配置文件中的菜单；之前 "+compactJSON(before))
	return apiSettingsGet(s, w, r, me)
}

func apiSettingsSyncMenu(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	answer, err := s.syncMenu(r, me)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"result": "ok", "wechat_answer": answer})
	return nil
}
