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

// markTemplateErrors puts each validation problem beside its field.
func markTemplateErrors(rows []templateRow, errs core.ValidationError) {
	for _, e := range errs {
		kind, field, _ := strings.Cut(e.Label, ".")
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

// saveTemplates stores overrides, makes this instance's dispatcher use
// them at once (others within 30 s), and records the change.
func (s *server) saveTemplates(r *http.Request, me model.Account, m map[string]model.TemplateSetting) error {
	settings := core.NewSettings(s.d.DB)
	before, err := settings.Templates(r.Context())
	if err != nil {
		return err
	}
	if err := settings.SaveTemplates(r.Context(), m); err != nil {
		return err
	}
	if s.d.Outbox != nil {
		s.d.Outbox.ReloadTemplates()
	}
	s.audit(r, me, "settings.templates", "settings/templates",
		"模板消息设置：之前 "+templatesSummary(before)+"；之后 "+templatesSummary(m))
	return nil
}

func settingsSaveTemplates(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	rows := templateRows(currentSettingsDeps().cfg, nil)
	m, bad := parseTemplateForm(r, rows)
	errs := core.ValidateTemplates(m)
	var note string
	if len(errs) == 0 {
		var unknown core.ValidationError
		unknown, note = checkTemplateIDs(r.Context(), m)
		errs = append(errs, unknown...)
	}
	if bad || len(errs) > 0 {
		markTemplateErrors(rows, errs)
		return s.renderSettings(w, r, me, http.StatusUnprocessableEntity, settingsView{Templates: rows,
			TemplateErrors: "模板设置有误，未保存。请按提示修改。"})
	}
	if err := s.saveTemplates(r, me, m); err != nil {
		return err
	}
	s.flash(r, "模板消息设置已保存，30 秒内对所有实例生效。"+note)
	http.Redirect(w, r, "/admin/settings", http.StatusSeeOther)
	return nil
}
