package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// AddPendingAsk records that the deputy is asked to answer flow about ref;
// asking again is harmless, re-opens an answered ask and makes it the
// latest (a bare reply answers the latest push asking for it).
func (db *DB) AddPendingAsk(ctx context.Context, deputyID int64, flow string, refID int64, title string) error {
	return db.addPendingAsk(ctx, db.w, deputyID, flow, refID, title)
}

func (db *DB) addPendingAsk(ctx context.Context, x sqlx.ExecerContext, deputyID int64, flow string, refID int64, title string) error {
	now := db.now().UTC()
	q := `INSERT INTO pending_asks (deputy_id, flow, ref_id, title, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (deputy_id, flow, ref_id) DO UPDATE SET done_at = NULL, title = excluded.title, created_at = excluded.created_at`
	if db.dialect == MySQL {
		q = `INSERT INTO pending_asks (deputy_id, flow, ref_id, title, created_at) VALUES (?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE done_at = NULL, title = VALUES(title), created_at = VALUES(created_at)`
	}
	if _, err := x.ExecContext(ctx, q, deputyID, flow, refID, title, now); err != nil {
		return fmt.Errorf("storage: add pending ask: %w", err)
	}
	return nil
}

// OpenAsks lists the deputy's unanswered asks, oldest first. It reads the
// writer (an ask closed just before is not listed) but writes nothing, so
// the message's read memo keeps what it holds.
func (db *DB) OpenAsks(ctx context.Context, deputyID int64) ([]model.PendingAsk, error) {
	var out []model.PendingAsk
	err := db.latest(ctx).SelectContext(ctx, &out, `SELECT id, deputy_id, flow, ref_id, title, created_at FROM pending_asks
		WHERE deputy_id = ? AND done_at IS NULL ORDER BY created_at, id`, deputyID)
	if err != nil {
		return nil, fmt.Errorf("storage: open asks: %w", err)
	}
	return out, nil
}

// CloseAsk marks the deputy's ask for flow and ref answered.
func (db *DB) CloseAsk(ctx context.Context, deputyID int64, flow string, refID int64) error {
	_, err := db.wq(ctx).ExecContext(ctx, `UPDATE pending_asks SET done_at = ? WHERE deputy_id = ? AND flow = ? AND ref_id = ?`,
		db.now().UTC(), deputyID, flow, refID)
	if err != nil {
		return fmt.Errorf("storage: close ask: %w", err)
	}
	return nil
}

// ParkConversation moves openid's active conversation aside (replacing an
// earlier parked one), so a menu click can be answered; 继续 restores it.
func (db *DB) ParkConversation(ctx context.Context, c model.Conversation) error {
	// One upsert, not a DELETE and an INSERT: on MySQL, deleting a row that
	// is not there locks the gap before the next openid, and two deputies
	// parking at once, each holding that gap and inserting into it,
	// deadlocked (BenchmarkCallbackMix, MariaDB).
	park := `INSERT INTO parked_conversations (openid, flow, step, data, parked_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (openid) DO UPDATE SET flow = excluded.flow, step = excluded.step, data = excluded.data, parked_at = excluded.parked_at`
	if db.dialect == MySQL {
		park = `INSERT INTO parked_conversations (openid, flow, step, data, parked_at) VALUES (?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE flow = VALUES(flow), step = VALUES(step), data = VALUES(data), parked_at = VALUES(parked_at)`
	}
	return db.inTxSimple(ctx, []stmt{
		{park, []any{c.OpenID, c.Flow, c.Step, c.Data, db.now().UTC()}},
		{`DELETE FROM conversations WHERE openid = ? AND version = ?`, []any{c.OpenID, c.Version}},
	})
}

// ParkedKeep is how long a parked conversation can be resumed.
const ParkedKeep = model.DraftKeep

// TakeParked removes and returns openid's parked conversation, or
// ErrNotFound (also for one parked more than ParkedKeep ago, which it
// removes).
func (db *DB) TakeParked(ctx context.Context, openid string) (model.Conversation, error) {
	var c model.Conversation
	err := db.wq(ctx).GetContext(ctx, &c, `SELECT openid, flow, step, data FROM parked_conversations WHERE openid = ? AND parked_at > ?`,
		openid, db.now().UTC().Add(-ParkedKeep))
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM parked_conversations WHERE openid = ?`, openid); err != nil {
			return c, fmt.Errorf("storage: parked conversation: %w", err)
		}
		return c, fmt.Errorf("storage: parked conversation: %w", model.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("storage: parked conversation: %w", err)
	}
	if _, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM parked_conversations WHERE openid = ?`, openid); err != nil {
		return c, fmt.Errorf("storage: parked conversation: %w", err)
	}
	return c, nil
}

// DeleteConversationVersion ends openid's conversation if it is still at
// version; it reports false when another message changed it first.
func (db *DB) DeleteConversationVersion(ctx context.Context, openid string, version int64) (bool, error) {
	res, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM conversations WHERE openid = ? AND version = ?`, openid, version)
	if err != nil {
		return false, fmt.Errorf("storage: end conversation: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
