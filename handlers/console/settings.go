package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// The settings page: template messages (a form per notice kind listing
// the account's templates, and every kind at once as text), the custom
// menu (a form of buttons and sub-buttons, and the menu/create JSON), the
// delivery settings and the configuration in force.

// statusError is a refusal with its own status and sentence (503 when
// WeChat is not wired, 502 when WeChat refused).
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

func (s *server) settings() httpkit.SettingsSource {
	if s.d.Settings == nil {
		return httpkit.NoSettings{}
	}
	return s.d.Settings
}

// settingsView is the settings page.
type settingsView struct {
	Templates      []templateRow
	TemplateErrors string // problems of the text form
	BulkOpen       bool   // the text form is shown open (it has errors)
	Fields         []string
	FieldLabels    map[string]string
	Catalog        []model.AccountTemplate // the account's templates
	HasCatalog     bool                    // they could be listed

	MenuForm   menuForm
	Menu       string // JSON in the textarea
	MenuSource string // where the shown menu comes from
	MenuSaved  bool
	MenuError  string // a problem of the JSON form
	JSONOpen   bool   // the JSON form is shown open (it has errors)
	CanSync    bool

	HasConfig                 bool
	QuietHours, RatePerSecond string // as configured
	DailyQuota                int
	Dump                      string

	Delivery deliveryForm
}

// deliveryForm is the quiet hours and rate form: the saved values (or the
// configured ones when none are saved), or what was typed.
type deliveryForm struct {
	Quiet, Rate       string
	Saved             bool // an override is saved
	ErrQuiet, ErrRate string
	Error             string
	Typed             bool // Quiet and Rate are what was typed
}

// templatePairs is how many keyword rows a kind's form offers.
const templatePairs = 6

// templatePair is one keyword of a template and the notice field it shows.
type templatePair struct{ Keyword, Field string }

// templateRow is one notice kind: what the configuration says, and the
// console's override as saved or typed.
type templateRow struct {
	Kind, Label            string
	ConfigID, ConfigFields string
	ID, FieldsText         string // the override; empty follows the configuration
	Pairs                  []templatePair
	ErrID, ErrFields       string
	Error                  string // the kind's form was refused
	Open                   bool   // the kind's form is shown open
}

// pairsOf lists a mapping by keyword number, padded to templatePairs rows.
func pairsOf(fields map[string]string) []templatePair {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keywordLess(keys[i], keys[j]) })
	out := make([]templatePair, 0, max(templatePairs, len(keys)))
	for _, k := range keys {
		out = append(out, templatePair{k, fields[k]})
	}
	for len(out) < templatePairs {
		out = append(out, templatePair{})
	}
	return out
}

// keywordLess orders thing1 before time2 before thing10.
func keywordLess(a, b string) bool {
	na, nb := strings.TrimLeft(a, "abcdefghijklmnopqrstuvwxyz_"), strings.TrimLeft(b, "abcdefghijklmnopqrstuvwxyz_")
	ia, ea := strconv.Atoi(na)
	ib, eb := strconv.Atoi(nb)
	if ea == nil && eb == nil && ia != ib {
		return ia < ib
	}
	return a < b
}

// templateRows builds the rows from the saved overrides.
func (s *server) templateRows(saved map[string]model.TemplateSetting) []templateRow {
	conf := s.settings().Configured()
	var rows []templateRow
	for _, kind := range model.NoticeKinds() {
		row := templateRow{Kind: kind, Label: model.KindLabels[kind]}
		if t, ok := conf.Templates[kind]; ok {
			row.ConfigID, row.ConfigFields = t.ID, core.FormatTemplateFields(t.Fields)
		}
		if t, ok := saved[kind]; ok {
			row.ID, row.FieldsText = t.ID, core.FormatTemplateFields(t.Fields)
		}
		row.Pairs = pairsOf(saved[kind].Fields)
		rows = append(rows, row)
	}
	return rows
}

// renderSettings fills in what v leaves empty and shows the page.
func (s *server) renderSettings(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v settingsView) error {
	ctx := r.Context()
	src := s.settings()
	conf := src.Configured()
	if v.Templates == nil {
		saved, err := s.core.Settings.Templates(ctx)
		if err != nil {
			return err
		}
		v.Templates = s.templateRows(saved)
	}
	catalog, ok, err := s.core.Settings.AccountTemplatesAs(ctx, by)
	if err != nil {
		return err
	}
	v.Catalog, v.HasCatalog = catalog, ok
	v.Fields, v.FieldLabels = core.TemplateFields, core.TemplateFieldLabels
	current, saved, err := s.core.Settings.CurrentMenu(ctx, conf.Menu)
	if err != nil {
		return err
	}
	v.MenuSaved = saved
	v.MenuSource = "配置文件中的菜单（wechat.menu，未配置时为内置默认菜单）"
	if saved {
		v.MenuSource = "在本页保存的菜单"
	}
	if v.Menu == "" {
		v.Menu = string(current)
	}
	if v.MenuForm.Buttons == nil {
		v.MenuForm = menuFormOf(current)
	}
	v.CanSync = src.MenuSender() != nil
	if cfg := s.d.Config; cfg != nil {
		v.HasConfig = true
		v.QuietHours = cfg.Delivery.QuietHours
		v.RatePerSecond = core.FormatRate(cfg.Delivery.RatePerSecond)
		v.DailyQuota = cfg.Delivery.DailyQuota
		v.Dump = cfg.Dump()
	}
	delivery, err := s.core.Settings.Delivery(ctx)
	switch {
	case err == nil:
		v.Delivery.Saved = true
		if !v.Delivery.Typed {
			v.Delivery.Quiet, v.Delivery.Rate = delivery.QuietHours, core.FormatRate(delivery.RatePerSecond)
		}
	case errors.Is(err, model.ErrNotFound):
		if !v.Delivery.Typed {
			v.Delivery.Quiet, v.Delivery.Rate = v.QuietHours, v.RatePerSecond
		}
	default:
		return err
	}
	s.render(w, r, status, "settings", page{Title: "设置", Nav: "settings", Me: by.Account, Data: v})
	return nil
}

func settingsShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderSettings(w, r, by, http.StatusOK, settingsView{})
}

// parseTemplateForm reads the text form: one row per notice kind
// (id_<kind>, fields_<kind>); a row left empty follows the configuration.
// It returns the overrides and whether a row failed to parse.
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

// markTemplateErrors puts each validation problem beside its field (keys
// templates.<kind>.id and templates.<kind>.fields) and says whether one
// was of kind only (all kinds when only is "").
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

// settingsSaveTemplates saves the text form: every kind at once.
func settingsSaveTemplates(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseSmallForm(w, r) {
		return badInput("提交的内容过长。")
	}
	saved, err := s.core.Settings.Templates(r.Context())
	if err != nil {
		return err
	}
	rows := s.templateRows(saved)
	m, bad := parseTemplateForm(r, rows)
	if bad {
		markTemplateErrors(rows, core.ValidateTemplates(m))
		return s.renderTemplateErrors(w, r, by, rows)
	}
	note, err := s.core.Settings.SaveTemplatesAs(r.Context(), by, m)
	if errs, ok := core.Fields(err); ok {
		markTemplateErrors(rows, errs)
		return s.renderTemplateErrors(w, r, by, rows)
	} else if err != nil {
		return err
	}
	s.settings().ReloadTemplates()
	s.flash(r, "模板消息设置已保存，30 秒内对所有实例生效。"+note)
	http.Redirect(w, r, "/admin/settings", http.StatusSeeOther)
	return nil
}

// renderTemplateErrors shows the text form again with its errors; the
// forms per kind show what is saved.
func (s *server) renderTemplateErrors(w http.ResponseWriter, r *http.Request, by core.Actor, typed []templateRow) error {
	saved, err := s.core.Settings.Templates(r.Context())
	if err != nil {
		return err
	}
	perKind := s.templateRows(saved)
	for i := range typed {
		typed[i].Pairs = perKind[i].Pairs
	}
	return s.renderSettings(w, r, by, http.StatusUnprocessableEntity, settingsView{Templates: typed, BulkOpen: true,
		TemplateErrors: "模板设置有误，未保存。请按提示修改。"})
}

// settingsSaveTemplate saves one kind's form: its template and the
// keyword rows filled in.
func settingsSaveTemplate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseSmallForm(w, r) {
		return badInput("提交的内容过长。")
	}
	kind := r.PostFormValue("kind")
	saved, err := s.core.Settings.Templates(r.Context())
	if err != nil {
		return err
	}
	rows := s.templateRows(saved)
	at := slices.IndexFunc(rows, func(row templateRow) bool { return row.Kind == kind })
	if at < 0 {
		return badInput("没有这类通知。")
	}
	row := &rows[at]
	row.ID = strings.TrimSpace(r.PostFormValue("id"))
	row.Pairs = nil
	t := model.TemplateSetting{ID: row.ID}
	var dup []string
	for i := 0; i < templatePairs; i++ {
		p := templatePair{strings.TrimSpace(r.PostFormValue(fmt.Sprintf("kw%d", i))), strings.TrimSpace(r.PostFormValue(fmt.Sprintf("field%d", i)))}
		row.Pairs = append(row.Pairs, p)
		if p.Keyword == "" && p.Field == "" {
			continue
		}
		if t.Fields == nil {
			t.Fields = map[string]string{}
		}
		if _, ok := t.Fields[p.Keyword]; ok {
			dup = append(dup, p.Keyword)
		}
		t.Fields[p.Keyword] = p.Field
	}
	row.FieldsText = core.FormatTemplateFields(t.Fields)
	if len(dup) > 0 {
		row.ErrFields = "关键词 " + strings.Join(dup, "、") + " 填写了不止一次"
	} else {
		var note string
		note, err = s.core.Settings.SaveTemplateAs(r.Context(), by, kind, t)
		if errs, ok := core.Fields(err); ok {
			markTemplateErrors(rows, errs)
		} else if err != nil {
			return err
		} else {
			s.settings().ReloadTemplates()
			s.flash(r, row.Label+"的模板消息设置已保存，30 秒内对所有实例生效。"+note)
			http.Redirect(w, r, "/admin/settings#template-"+kind, http.StatusSeeOther)
			return nil
		}
	}
	row.Error, row.Open = "未保存，请按提示修改。", true
	for i := range rows {
		if i != at { // other kinds show what is saved, not another kind's problem
			rows[i].ErrID, rows[i].ErrFields = "", ""
		}
	}
	if row.ErrID == "" && row.ErrFields == "" {
		row.Error = "未保存：其他类别已保存的模板有误，请先修改。"
	}
	return s.renderSettings(w, r, by, http.StatusUnprocessableEntity, settingsView{Templates: rows})
}

// menuSlot is one button of the menu form: its name, what it does, and
// the key (click) or address (view) it carries.
type menuSlot struct {
	Name   string
	Type   string // click, view; on a top button also sub (opens sub-buttons)
	Target string // the key of a click, the URL of a view
}

// menuTop is a top button with its sub-button slots.
type menuTop struct {
	menuSlot
	Subs []menuSlot
}

// menuForm is the menu as a form: every slot WeChat allows, filled from
// the menu shown, or as typed.
type menuForm struct {
	Buttons []menuTop
	Errors  []string
}

// The slots WeChat allows.
const (
	menuTops = 3
	menuSubs = 5
)

func slotOf(b core.MenuButton) menuSlot {
	sl := menuSlot{Name: b.Name, Type: b.Type, Target: b.Key}
	if b.Type == "view" || (b.Type == "" && b.URL != "") {
		sl.Type, sl.Target = "view", b.URL
	}
	if sl.Type == "" {
		sl.Type = "click"
	}
	return sl
}

// menuFormOf fills the form from a menu/create body.
func menuFormOf(raw []byte) menuForm {
	var m core.Menu
	_ = json.Unmarshal(raw, &m)
	f := menuForm{Buttons: make([]menuTop, menuTops)}
	for i := range f.Buttons {
		top := &f.Buttons[i]
		top.Subs = make([]menuSlot, menuSubs)
		for j := range top.Subs {
			top.Subs[j].Type = "click"
		}
		top.Type = "click"
		if i >= len(m.Button) {
			continue
		}
		b := m.Button[i]
		if len(b.SubButton) > 0 {
			top.menuSlot = menuSlot{Name: b.Name, Type: "sub"}
			for j, sb := range b.SubButton {
				if j < menuSubs {
					top.Subs[j] = slotOf(sb)
				}
			}
			continue
		}
		top.menuSlot = slotOf(b)
	}
	return f
}

func (sl menuSlot) empty() bool {
	return strings.TrimSpace(sl.Name) == "" && strings.TrimSpace(sl.Target) == ""
}

// button is the slot as WeChat's menu/create has it, exactly as typed:
// what does not fit (a key on a parent) is kept for core to refuse.
func (sl menuSlot) button() core.MenuButton {
	b := core.MenuButton{Name: strings.TrimSpace(sl.Name)}
	target := strings.TrimSpace(sl.Target)
	switch sl.Type {
	case "view":
		b.Type, b.URL = "view", target
	case "sub":
		b.Key = target
	default:
		b.Type, b.Key = "click", target
	}
	return b
}

// menuFormFrom reads the form as posted, and the menu it describes.
func menuFormFrom(r *http.Request) (menuForm, core.Menu) {
	f := menuForm{Buttons: make([]menuTop, menuTops)}
	m := core.Menu{Button: []core.MenuButton{}}
	slot := func(prefix string) menuSlot {
		return menuSlot{Name: r.PostFormValue(prefix + "_name"), Type: r.PostFormValue(prefix + "_type"), Target: r.PostFormValue(prefix + "_target")}
	}
	for i := range f.Buttons {
		top := &f.Buttons[i]
		top.menuSlot = slot(fmt.Sprintf("m%d", i))
		var subs []core.MenuButton
		for j := 0; j < menuSubs; j++ {
			sl := slot(fmt.Sprintf("m%d_%d", i, j))
			if sl.Type == "sub" || sl.Type == "" {
				sl.Type = "click"
			}
			top.Subs = append(top.Subs, sl)
			if !sl.empty() {
				subs = append(subs, sl.button())
			}
		}
		if top.empty() && len(subs) == 0 {
			continue
		}
		b := top.button()
		if len(subs) > 0 {
			if top.Type != "sub" { // a click or view with sub-buttons: core says what is wrong
				b.Type = top.Type
			}
			b.SubButton = subs
		}
		m.Button = append(m.Button, b)
	}
	return f, m
}

// settingsSaveMenu saves the menu form, or the menu/create JSON when the
// JSON form was sent (field menu).
func settingsSaveMenu(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseSmallForm(w, r) {
		return badInput("提交的内容过长。")
	}
	configured := s.settings().Configured().Menu
	if _, asJSON := r.PostForm["menu"]; asJSON {
		raw := r.PostFormValue("menu")
		_, err := s.core.Settings.SaveMenuAs(r.Context(), by, []byte(raw), configured)
		if verr, ok := core.Fields(err); ok {
			return s.renderSettings(w, r, by, http.StatusUnprocessableEntity, settingsView{Menu: raw, MenuError: menuMessages(verr),
				JSONOpen: true})
		} else if err != nil {
			return err
		}
	} else {
		f, m := menuFormFrom(r)
		raw, err := json.Marshal(m)
		if err != nil {
			return err
		}
		_, err = s.core.Settings.SaveMenuAs(r.Context(), by, raw, configured)
		if verr, ok := core.Fields(err); ok {
			for _, e := range verr {
				f.Errors = append(f.Errors, e.Msg)
			}
			return s.renderSettings(w, r, by, http.StatusUnprocessableEntity, settingsView{MenuForm: f})
		} else if err != nil {
			return err
		}
	}
	s.flash(r, "菜单已保存。点击“同步到微信”后，代表在微信中看到的菜单才会更新。")
	http.Redirect(w, r, "/admin/settings#menu", http.StatusSeeOther)
	return nil
}

// menuMessages joins a menu's problems.
func menuMessages(verr core.ValidationError) string {
	msgs := make([]string, len(verr))
	for i, e := range verr {
		msgs[i] = e.Msg
	}
	return strings.Join(msgs, "；")
}

func settingsResetMenu(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if err := s.core.Settings.ResetMenuAs(r.Context(), by, s.settings().Configured().Menu); err != nil {
		return err
	}
	s.flash(r, "已恢复为配置文件中的菜单。如需在微信中生效，请再同步到微信。")
	http.Redirect(w, r, "/admin/settings#menu", http.StatusSeeOther)
	return nil
}

// settingsSyncMenu sends the current menu (saved, else configured) to
// WeChat; core records the attempt, whatever WeChat answered.
func settingsSyncMenu(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	src := s.settings()
	send := src.MenuSender()
	if send == nil {
		return &statusError{http.StatusServiceUnavailable, "本服务未接入微信接口，无法从管理后台同步菜单。请在服务器上运行 deputybot menu sync。"}
	}
	_, _, err := s.core.Menus.Sync(r.Context(), by, src.Configured().Menu, send)
	if errors.Is(err, core.ErrMenuRefused) {
		s.d.Log.Warn("console: menu sync failed", "err", err, "request_id", httpkit.RequestID(r.Context()))
		msg := []rune(strings.TrimPrefix(err.Error(), core.ErrMenuRefused.Error()+": "))
		if len(msg) > 200 {
			msg = append(msg[:200], '…')
		}
		return &statusError{http.StatusBadGateway, "微信未接受菜单：" + string(msg)}
	} else if err != nil {
		return err
	}
	s.flash(r, "菜单已同步到微信。微信客户端可能需要数分钟才显示新菜单。")
	http.Redirect(w, r, "/admin/settings#menu", http.StatusSeeOther)
	return nil
}

func settingsSaveDelivery(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseSmallForm(w, r) {
		return badInput("提交的内容过长。")
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
	for _, e := range core.ValidateDelivery(set) {
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
		return s.renderSettings(w, r, by, http.StatusUnprocessableEntity, settingsView{Delivery: form})
	}
	if err := s.core.Settings.SaveDeliveryAs(r.Context(), by, set, s.settings().Configured().Delivery); err != nil {
		return err
	}
	s.settings().ReloadDelivery()
	s.flash(r, "发送设置已保存，30 秒内对所有实例生效。")
	http.Redirect(w, r, "/admin/settings#delivery", http.StatusSeeOther)
	return nil
}

func settingsResetDelivery(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if err := s.core.Settings.ResetDeliveryAs(r.Context(), by, s.settings().Configured().Delivery); err != nil {
		return err
	}
	s.settings().ReloadDelivery()
	s.flash(r, "发送设置已恢复为配置文件中的值，30 秒内对所有实例生效。")
	http.Redirect(w, r, "/admin/settings#delivery", http.StatusSeeOther)
	return nil
}
