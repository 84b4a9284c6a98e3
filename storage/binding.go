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

// BindDeputy binds openid to the deputy. It fails with ErrAlreadyBound
// when the deputy has another openid or the openid has another deputy.
func (db *DB) BindDeputy(ctx context.Context, deputyID int64, openid string) error {
	now := db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE deputies SET openid = ?, bound_at = ?, updated_at = ?
		WHERE id = ? AND openid IS NULL`, openid, now, now, deputyID)
	if isDuplicate(err) {
		return fmt.Errorf("storage: bind deputy %d: %w", deputyID, model.ErrAlreadyBound)
	}
	if err != nil {
		return fmt.Errorf("storage: bind deputy %d: %w", deputyID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := db.GetDeputy(ctx, deputyID); err != nil {
			return err
		}
		return fmt.Errorf("storage: bind deputy %d: %w", deputyID, model.ErrAlreadyBound)
	}
	_, _ = db.wq(ctx).ExecContext(ctx, `DELETE FROM bind_codes WHERE deputy_id = ?`, deputyID)
	return nil
}

// UnbindDeputy removes the deputy's WeChat binding. It returns the openid
// that was bound, or ErrNotFound when the deputy was not bound.
func (db *DB) UnbindDeputy(ctx context.Context, deputyID int64) (string, error) {
	d, err := db.GetDeputy(ctx, deputyID)
	if err != nil {
		return "", err
	}
	if d.OpenID == "" {
		return "", fmt.Errorf("storage: unbind deputy %d: %w", deputyID, model.ErrNotFound)
	}
	_, err = db.wq(ctx).ExecContext(ctx, `UPDATE deputies SET openid = NULL, bound_at = NULL, updated_at = ? WHERE id = ?`,
		db.now().UTC(), deputyID)
	if err != nil {
		return "", fmt.Errorf("storage: unbind deputy %d: %w", deputyID, err)
	}
	return d.OpenID, nil
}

// AddBindFailure records a failed binding attempt from openid.
func (db *DB) AddBindFailure(ctx context.Context, openid string) error {
	if _, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO bind_attempts (openid, at) VALUES (?, ?)`, openid, db.now().UTC()); err != nil {
		return fmt.Errorf("storage: bind failure: %w", err)
	}
	return nil
}

// BindFailuresSince counts openid's failed attempts after since and
// returns the time of the latest.
func (db *DB) BindFailuresSince(ctx context.Context, openid string, since time.Time) (int, time.Time, error) {
	var n int
	var last sql.NullTime
	// MAX over a DATETIME comes back as text on SQLite; read it as a count and a separate row.
	if err := db.wq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM bind_attempts WHERE openid = ? AND at > ?`, openid, since.UTC()); err != nil {
		return 0, time.Time{}, fmt.Errorf("storage: bind failures: %w", err)
	}
	if n == 0 {
		return 0, time.Time{}, nil
	}
	err := db.wq(ctx).GetContext(ctx, &last, `SELECT at FROM bind_attempts WHERE openid = ? ORDER BY at DESC LIMIT 1`, openid)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, fmt.Errorf("storage: bind failures: %w", err)
	}
	return n, last.Time.UTC(), nil
}

// SetBindCode stores a binding code for the deputy, replacing any earlier one.
func (db *DB) SetBindCode(ctx context.Context, deputyID int64, code string, expires time.Time) error {
	return db.inTxSimple(ctx, []stmt{
		{`DELETE FROM bind_codes WHERE deputy_id = ?`, []any{deputyID}},
		{`INSERT INTO bind_codes (deputy_id, code, expires_at, created_at) VALUES (?, ?, ?, ?)`,
			[]any{deputyID, code, expires.UTC(), db.now().UTC()}},
	})
}

// DeputyIDsForBindCode returns the deputies whose unexpired code is code.
func (db *DB) DeputyIDsForBindCode(ctx context.Context, code string) ([]int64, error) {
	var ids []int64
	err := db.wq(ctx).SelectContext(ctx, &ids, `SELECT deputy_id FROM bind_codes WHERE code = ? AND expires_at > ?`, code, db.now().UTC())
	if err != nil {
		return nil, fmt.Errorf("storage: bind code: %w", err)
	}
	return ids, nil
}

type stmt struct {
	q    string
	args []any
}

// inTxSimple runs statements in one transaction.
func (db *DB) inTxSimple(ctx context.Context, stmts []stmt) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
				return fmt.Errorf("storage: %w", err)
			}
		}
		return nil
	})
}
