package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"deputybot/model"
)

// ConfiguredSettings are the configuration file's values that the
// settings saved in the console override: what applies when nothing is
// saved.
type ConfiguredSettings struct {
	Templates map[string]model.TemplateSetting // by notice kind
	Menu      []byte                           // a menu/create body
	Delivery  *model.DeliverySetting           // nil when unknown
}

// FormatRate writes a send rate as staff type it (20, 12.5).
func FormatRate(r float64) string { return strconv.FormatFloat(r, 'f', -1, 64) }

// TemplateLister lists the template IDs the WeChat account has added
// (bot.Client.TemplateIDs).
type TemplateLister func(ctx context.Context) ([]string, error)

// UseTemplateLister lets SaveTemplatesAs check template IDs against the
// account's own list; without one, IDs are checked for form only.
func (s *Settings) UseTemplateLister(l TemplateLister) {
	if l == nil {
		s.lister.Store(nil)
		return
	}
	s.lister.Store(&l)
}

// templateKey is the field key of a template override's part ("id" or
// "fields"): the console's form field and the API's JSON path.
func templateKey(kind, part string) string { return "templates." + kind + "." + part }

// templateLabel names a template override's part in Chinese.
func templateLabel(kind, part string) string {
	name := model.KindLabels[kind]
	if name == "" {
		name = kind
	}
	if part == "fields" {
		return name + " 关键词映射"
	}
	return name + " 模板 ID"
}

// checkTemplateIDs names each mapped template the account does not have.
// When WeChat cannot be asked, note says so and nothing is refused.
func (s *Settings) checkTemplateIDs(ctx context.Context, m map[string]model.TemplateSetting) (errs ValidationError, note string) {
	if len(m) == 0 {
		return nil, ""
	}
	var ids []string
	var err error
	switch l, c := s.lister.Load(), s.catalog.Load(); {
	case l != nil:
		ids, err = (*l)(ctx)
	case c != nil:
		var ts []model.AccountTemplate
		ts, err = (*c)(ctx)
		for _, t := range ts {
			ids = append(ids, t.ID)
		}
	default:
		return nil, ""
	}
	if err != nil {
		return nil, "未能从微信获取模板列表，模板 ID 未与公众号核对。"
	}
	kinds := make([]string, 0, len(m))
	for kind := range m {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	for _, kind := range kinds {
		if id := m[kind].ID; id != "" && !slices.Contains(ids, id) {
			errs = append(errs, &FieldError{Key: templateKey(kind, "id"), Label: templateLabel(kind, "id"), Value: id,
				Msg: "公众号的模板列表中没有这个模板 ID，请先在公众号后台“模板消息 › 我的模板”中添加"})
		}
	}
	return errs, ""
}

// SaveTemplatesAs replaces every template override (kinds left out follow
// the configuration file) as by, an admin: each is checked for form and,
// when the account's list can be read, against the templates the account
// has. The console and the API refuse the same input with the same keys
// (templates.<kind>.id, templates.<kind>.fields). note says when the IDs
// could not be checked with WeChat.
func (s *Settings) SaveTemplatesAs(ctx context.Context, by Actor, m map[string]model.TemplateSetting) (note string, err error) {
	if err := by.Require(Admins...); err != nil {
		return "", err
	}
	for k, t := range m {
		t.ID = strings.TrimSpace(t.ID)
		m[k] = t
	}
	if errs := ValidateTemplates(m); len(errs) > 0 {
		return "", errs
	}
	unknown, note := s.checkTemplateIDs(ctx, m)
	if len(unknown) > 0 {
		return "", unknown
	}
	return note, s.tx(ctx, func(ctx context.Context) error {
		before, err := s.db.TemplateSettings(ctx)
		if err != nil {
			return err
		}
		if err := s.db.SaveTemplateSettings(ctx, m); err != nil {
			return err
		}
		return s.audit(ctx, by, "settings.templates", "settings/templates",
			"模板消息设置：之前 "+templatesSummary(before)+"；之后 "+templatesSummary(m))
	})
}

// templatesSummary describes overrides for the audit log.
func templatesSummary(m map[string]model.TemplateSetting) string {
	if len(m) == 0 {
		return "无（全部按配置文件）"
	}
	kinds := make([]string, 0, len(m))
	for kind := range m {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	parts := make([]string, 0, len(kinds))
	for _, kind := range kinds {
		t := m[kind]
		parts = append(parts, fmt.Sprintf("%s：%s（%s）", model.KindLabels[kind], t.ID, FormatTemplateFields(t.Fields)))
	}
	return strings.Join(parts, "；")
}

// CurrentMenu returns the menu in force: the saved one (saved is true),
// else configured.
func (s *Settings) CurrentMenu(ctx context.Context, configured []byte) (menu []byte, saved bool, err error) {
	menu, err = s.db.MenuSetting(ctx)
	if errors.Is(err, model.ErrNotFound) {
		return configured, false, nil
	}
	return menu, err == nil, err
}

// SaveMenuAs validates and stores a custom menu (a menu/create body) as
// by, an admin, and returns it normalised; configured is the
// configuration file's menu, what was in force when none was saved.
func (s *Settings) SaveMenuAs(ctx context.Context, by Actor, raw, configured []byte) ([]byte, error) {
	if err := by.Require(Admins...); err != nil {
		return nil, err
	}
	menu, err := ParseMenu(raw)
	if err != nil {
		return nil, err
	}
	return menu, s.tx(ctx, func(ctx context.Context) error {
		before, _, err := s.CurrentMenu(ctx, configured)
		if err != nil {
			return err
		}
		if err := s.db.SaveMenuSetting(ctx, menu); err != nil {
			return err
		}
		return s.audit(ctx, by, "settings.menu", "settings/menu", "自定义菜单：之前 "+compactJSON(before)+"；之后 "+compactJSON(menu))
	})
}

// ResetMenuAs removes the saved menu as by, an admin: configured applies
// again.
func (s *Settings) ResetMenuAs(ctx context.Context, by Actor, configured []byte) error {
	if err := by.Require(Admins...); err != nil {
		return err
	}
	return s.tx(ctx, func(ctx context.Context) error {
		before, _, err := s.CurrentMenu(ctx, configured)
		if err != nil {
			return err
		}
		if err := s.db.SaveMenuSetting(ctx, nil); err != nil {
			return err
		}
		return s.audit(ctx, by, "settings.menu", "settings/menu", "自定义菜单恢复为配置文件中的菜单；之前 "+compactJSON(before))
	})
}

// SaveDeliveryAs stores quiet hours and the send rate over the
// configuration file's, as by, an admin; configured (nil when unknown)
// describes the file's values in the audit entry.
func (s *Settings) SaveDeliveryAs(ctx context.Context, by Actor, d model.DeliverySetting, configured *model.DeliverySetting) error {
	if err := by.Require(Admins...); err != nil {
		return err
	}
	d.QuietHours = strings.TrimSpace(d.QuietHours)
	if errs := ValidateDelivery(d); len(errs) > 0 {
		return errs
	}
	return s.tx(ctx, func(ctx context.Context) error {
		before, err := s.deliverySummary(ctx, configured)
		if err != nil {
			return err
		}
		if err := s.db.SaveDeliverySetting(ctx, &d); err != nil {
			return err
		}
		return s.audit(ctx, by, "settings.delivery", "settings/delivery", "发送设置：之前 "+before+"；之后 "+deliveryText(d))
	})
}

// ResetDeliveryAs drops the saved delivery setting as by, an admin: the
// configuration file's quiet hours and rate apply again.
func (s *Settings) ResetDeliveryAs(ctx context.Context, by Actor, configured *model.DeliverySetting) error {
	if err := by.Require(Admins...); err != nil {
		return err
	}
	return s.tx(ctx, func(ctx context.Context) error {
		before, err := s.deliverySummary(ctx, configured)
		if err != nil {
			return err
		}
		if err := s.db.SaveDeliverySetting(ctx, nil); err != nil {
			return err
		}
		return s.audit(ctx, by, "settings.delivery", "settings/delivery",
			"发送设置恢复为配置文件：之前 "+before+"；之后 "+configuredDeliveryText(configured))
	})
}

func (s *Settings) deliverySummary(ctx context.Context, configured *model.DeliverySetting) (string, error) {
	saved, err := s.db.DeliverySetting(ctx)
	if errors.Is(err, model.ErrNotFound) {
		return configuredDeliveryText(configured), nil
	}
	if err != nil {
		return "", err
	}
	return deliveryText(saved), nil
}

func configuredDeliveryText(configured *model.DeliverySetting) string {
	if configured == nil {
		return "按配置文件"
	}
	return "按配置文件（" + deliveryText(*configured) + "）"
}

func deliveryText(d model.DeliverySetting) string {
	quiet := d.QuietHours
	if quiet == "" {
		quiet = "无"
	}
	return "免打扰 " + quiet + "，每秒 " + FormatRate(d.RatePerSecond) + " 条"
}
