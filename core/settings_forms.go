package core

import (
	"context"
	"slices"

	"deputybot/model"
)

// TemplateCatalog lists the templates the WeChat account has added, with
// their titles and keywords (bot.Client.Templates).
type TemplateCatalog func(ctx context.Context) ([]model.AccountTemplate, error)

// UseTemplateCatalog gives the settings the account's templates: the
// console lists them in the mapping form, and saved IDs are checked
// against them (when no TemplateLister is given).
func (s *Settings) UseTemplateCatalog(c TemplateCatalog) {
	if c == nil {
		s.catalog.Store(nil)
		return
	}
	s.catalog.Store(&c)
}

// AccountTemplatesAs lists the account's templates for by, an admin. ok
// is false when they cannot be listed (no WeChat client, or WeChat did
// not answer): the form then takes a typed ID.
func (s *Settings) AccountTemplatesAs(ctx context.Context, by Actor) (list []model.AccountTemplate, ok bool, err error) {
	if err := by.Require(Admins...); err != nil {
		return nil, false, err
	}
	c := s.catalog.Load()
	if c == nil {
		return nil, false, nil
	}
	list, err = (*c)(ctx)
	if err != nil {
		return nil, false, nil
	}
	return list, true, nil
}

// SaveTemplateAs sets the template override of one notice kind as by, an
// admin, leaving the other kinds' as they are; an empty ID with no
// keywords removes the override (the kind follows the configuration
// file). Checked and audited as SaveTemplatesAs.
func (s *Settings) SaveTemplateAs(ctx context.Context, by Actor, kind string, t model.TemplateSetting) (note string, err error) {
	if err := by.Require(Admins...); err != nil {
		return "", err
	}
	if !slices.Contains(model.NoticeKinds(), kind) {
		return "", NotFound("没有这类通知")
	}
	saved, err := s.db.TemplateSettings(ctx)
	if err != nil {
		return "", err
	}
	m := make(map[string]model.TemplateSetting, len(saved)+1)
	for k, v := range saved {
		m[k] = v
	}
	delete(m, kind)
	if t.ID != "" || len(t.Fields) > 0 {
		m[kind] = t
	}
	return s.SaveTemplatesAs(ctx, by, m)
}
