package handlers

import (
	"net/http"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/settings/templates", admins, settingsSaveTemplates)
}

// parseTemplateForm reads one row per notice kind (id_<kind>,
// fields_<kind>); a row left empty follows the configuration. It returns
// the overrides, the rows as typed, and whether a row failed to parse.
func parseTemplateForm(r *http.Request, rows []templateRow) (map[string]model.TemplateSetting, bool) {
	out := map[string]model.TemplateSetting{}
	bad := false
	for i := range rows {
		row := &rows[i]
		row.ID = strings.TrimSpace(r.PostFormValue("id_" + row.Kind))
		row.FieldsText = strings.TrimSpace(r.PostFormValue("fields_" + row.Kind))
		if row.ID == "" && row.FieldsText == "" {
			continue
		}
		fields, err := core.ParseTemplateFields(row.FieldsText)
		if err != nil {
			row.ErrFields, bad = err.Error(), true
		}
		out[row.Kind] = model.TemplateSetting{ID: row.ID, Fields: fields}
	}
	return out, bad
}

// markTemplateErrors puts each validation problem beside its field
// (keys templates.<kind>.id and templates.<kind>.fields).
func markTemplateErrors(rows []templateRow, errs core.ValidationError) {
	for _, e := range errs {
		kind, field, _ := strings.Cut(strings.TrimPrefix(e.Key, "templates."), ".")
		for i := range rows {
			if rows[i].Kind != kind {
				continue
			}
			dst := &rows[i].ErrID
			if field == "fields" {
				dst = &rows[i].ErrFields
			}
			if *dst == "" { // a field that failed to parse keeps that message
				*dst = e.Msg
			}
		}
	}
}

func settingsSaveTemplates(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	rows := templateRows(currentSettingsDeps().cfg, nil)
	m, bad := parseTemplateForm(r, rows)
	if bad {
		markTemplateErrors(rows, core.ValidateTemplates(m))
		return s.renderSettings(w, r, me, http.StatusUnprocessableEntity, settingsView{Templates: rows,
			TemplateErrors: "模板设置有误，未保存。请按提示修改。"})
	}
	note, err := s.d.Services.Settings.SaveTemplatesAs(r.Context(), core.StaffActor(me, core.ViaConsole), m)
	if errs, ok := core.Fields(err); ok {
		markTemplateErrors(rows, errs)
		return s.renderSettings(w, r, me, http.StatusUnprocessableEntity, settingsView{Templates: rows,
			TemplateErrors: "模板设置有误，未保存。请按提示修改。"})
	} else if err != nil {
		return err
	}
	settingsSource{s}.ReloadTemplates()
	s.flash(r, "模板消息设置已保存，30 秒内对所有实例生效。"+note)
	http.Redirect(w, r, "/admin/settings", http.StatusSeeOther)
	return nil
}
