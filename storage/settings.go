package storage

import (
	"context"
	"deputybot/model"
	"encoding/json"
	"errors"
	"fmt"
)

// Settings staff change in the console live in the kv table as JSON, so
// every instance sharing the database sees them. They override the
// configuration file; a missing key means "as configured".
const (
	settingTemplates = "settings:templates"
	settingMenu      = "settings:menu"
	settingDelivery  = "settings:delivery"
)

// DeliverySetting returns the saved delivery setting, or ErrNotFound when
// none was saved.
func (db *DB) DeliverySetting(ctx context.Context) (model.DeliverySetting, error) {
	var out model.DeliverySetting
	v, err := db.KVGet(ctx, settingDelivery)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return out, fmt.Errorf("storage: delivery settings: %w", err)
	}
	return out, nil
}

// SaveDeliverySetting stores the delivery setting; nil removes it (back to
// the configuration).
func (db *DB) SaveDeliverySetting(ctx context.Context, s *model.DeliverySetting) error {
	if s == nil {
		return db.KVDelete(ctx, settingDelivery)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("storage: delivery settings: %w", err)
	}
	return db.KVSet(ctx, settingDelivery, string(b), 0)
}

// TemplateSettings returns the template overrides by notice kind; an empty
// map when none were saved.
func (db *DB) TemplateSettings(ctx context.Context) (map[string]model.TemplateSetting, error) {
	out := map[string]model.TemplateSetting{}
	v, err := db.KVGet(ctx, settingTemplates)
	if errors.Is(err, model.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return nil, fmt.Errorf("storage: template settings: %w", err)
	}
	return out, nil
}

// SaveTemplateSettings replaces the template overrides; an empty map
// removes them all.
func (db *DB) SaveTemplateSettings(ctx context.Context, m map[string]model.TemplateSetting) error {
	if len(m) == 0 {
		return db.KVDelete(ctx, settingTemplates)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("storage: template settings: %w", err)
	}
	return db.KVSet(ctx, settingTemplates, string(b), 0)
}

// MenuSetting returns the saved custom menu (the body of WeChat's
// menu/create), or ErrNotFound when none was saved.
func (db *DB) MenuSetting(ctx context.Context) ([]byte, error) {
	v, err := db.KVGet(ctx, settingMenu)
	if err != nil {
		return nil, err
	}
	return []byte(v), nil
}

// SaveMenuSetting stores the custom menu; nil removes it (back to the
// configured menu).
func (db *DB) SaveMenuSetting(ctx context.Context, menuJSON []byte) error {
	if menuJSON == nil {
		return db.KVDelete(ctx, settingMenu)
	}
	return db.KVSet(ctx, settingMenu, string(menuJSON), 0)
}

// The deputy detail page's read queries.

// InvitationsOfDeputy lists the deputy's invitations, past and upcoming,
// latest meeting first, with their meetings.
func (db *DB) InvitationsOfDeputy(ctx context.Context, deputyID int64, limit int) ([]model.Invitation, error) {
	var rows []struct {
		model.Invitation
		model.Meeting
	}
	err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT `+invitationCols+`, m.id, m.kind, m.title, m.starts_at, m.ends_at,
		m.place, m.organiser, m.contact, m.rsvp_deadline, m.created_at
		FROM invitations i JOIN meetings m ON m.id = i.meeting_id
		WHERE i.deputy_id = ? ORDER BY m.starts_at DESC, m.id DESC LIMIT ?`, deputyID, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: invitations of deputy %d: %w", deputyID, err)
	}
	out := make([]model.Invitation, len(rows))
	for i, r := range rows {
		m := r.Meeting
		out[i] = r.Invitation
		out[i].Meeting = &m
	}
	return out, nil
}

// RatingsOfDeputy lists the ratings the deputy gave, latest first.
func (db *DB) RatingsOfDeputy(ctx context.Context, deputyID int64, limit int) ([]model.DeputyRating, error) {
	var out []model.DeputyRating
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT r.id, r.suggestion_id, r.deputy_id, r.contact, r.attitude, r.result,
		r.reason, r.rated_at, r.revised_at, s.number, s.title
		FROM suggestion_ratings r JOIN suggestions s ON s.id = r.suggestion_id
		WHERE r.deputy_id = ? ORDER BY COALESCE(r.revised_at, r.rated_at) DESC, r.id DESC LIMIT ?`, deputyID, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: ratings of deputy %d: %w", deputyID, err)
	}
	for i := range out {
		out[i].SuggestionRating = utcSuggestionRating(out[i].SuggestionRating)
	}
	return out, nil
}
