package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Enqueue writes a push under source in its own transaction; a deputy
// already pushed under source is left alone, so a job that runs twice
// sends once.
func (db *DB) Enqueue(ctx context.Context, source string, p model.Push) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error { return db.enqueue(ctx, tx, source, p) })
}

func (db *DB) targets(ctx context.Context, q string, args ...any) ([]model.ReminderTarget, error) {
	rows, err := db.rq(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: reminders: %w", err)
	}
	defer rows.Close()
	var out []model.ReminderTarget
	idx := map[int64]int{}
	for rows.Next() {
		var ref, dep int64
		var title string
		var when time.Time
		if err := rows.Scan(&ref, &title, &when, &dep); err != nil {
			return nil, err
		}
		i, ok := idx[ref]
		if !ok {
			i = len(out)
			idx[ref] = i
			out = append(out, model.ReminderTarget{RefID: ref, Title: title, When: when.UTC()})
		}
		out[i].DeputyIDs = append(out[i].DeputyIDs, dep)
	}
	return out, rows.Err()
}

// UnratedReplies lists suggestions replied before repliedBefore with the
// deputies who have not rated the current reply.
func (db *DB) UnratedReplies(ctx context.Context, repliedBefore time.Time) ([]model.ReminderTarget, error) {
	return db.targets(ctx, `SELECT s.id, s.number, s.replied_at, sd.deputy_id FROM suggestions s
		JOIN suggestion_deputies sd ON sd.suggestion_id = s.id
		LEFT JOIN suggestion_ratings r ON r.suggestion_id = s.id AND r.deputy_id = sd.deputy_id
		WHERE s.status IN (?, ?, ?) AND s.replied_at IS NOT NULL AND s.replied_at < ?
		AND (r.id IS NULL OR r.rated_at < s.replied_at) ORDER BY s.id, sd.deputy_id`,
		model.SuggestionReplied, model.SuggestionConcluded, model.SuggestionRehandling, repliedBefore.UTC())
}

// SolicitationsClosingBetween lists open solicitations closing in [from, to)
// with the active bound deputies who have sent no opinion on them.
func (db *DB) SolicitationsClosingBetween(ctx context.Context, from, to time.Time) ([]model.ReminderTarget, error) {
	return db.targets(ctx, `SELECT s.id, s.title, s.closes_at, d.id FROM solicitations s
		JOIN deputies d ON d.status = 'active' AND d.openid IS NOT NULL
		WHERE s.opens_at <= ? AND s.closes_at >= ? AND s.closes_at < ?
		AND NOT EXISTS (SELECT 1 FROM opinions o WHERE o.solicitation_id = s.id AND o.deputy_id = d.id)
		ORDER BY s.id, d.id`, from.UTC(), from.UTC(), to.UTC())
}

// NextUnannouncedMaterial returns the oldest published material that no
// notice has announced yet, or ErrNotFound.
func (db *DB) NextUnannouncedMaterial(ctx context.Context, now time.Time) (model.Material, error) {
	var m model.Material
	err := db.rq(ctx).GetContext(ctx, &m, `SELECT `+materialColumns+`
		FROM materials m WHERE m.status = 'published' AND m.published_at <= ?
		AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.ref_kind = 'material' AND n.ref_id = m.id)
		ORDER BY m.published_at, m.id LIMIT 1`, now.UTC())
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("storage: next material: %w", model.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("storage: next material: %w", err)
	}
	return utcMaterial(m), nil
}
