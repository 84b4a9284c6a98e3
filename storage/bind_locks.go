package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// LockDeputyBinding locks binding the deputy by phone digits, and reports
// whether this call locked it (false when it was locked already).
func (db *DB) LockDeputyBinding(ctx context.Context, deputyID int64, failures int) (bool, error) {
	res, err := db.wq(ctx).ExecContext(ctx, db.insertIgnore()+` INTO bind_locks (deputy_id, locked_at, failures) VALUES (?, ?, ?)`,
		deputyID, db.now().UTC(), failures)
	if err != nil {
		return false, fmt.Errorf("storage: lock binding of deputy %d: %w", deputyID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ClearDeputyBindLock removes the deputy's binding lock, if any.
func (db *DB) ClearDeputyBindLock(ctx context.Context, deputyID int64) error {
	if _, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM bind_locks WHERE deputy_id = ?`, deputyID); err != nil {
		return fmt.Errorf("storage: clear binding lock of deputy %d: %w", deputyID, err)
	}
	return nil
}

// BindLockedAmong returns which of the deputies have their binding locked.
func (db *DB) BindLockedAmong(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT deputy_id FROM bind_locks WHERE deputy_id IN (?)`, ids)
	if err != nil {
		return nil, fmt.Errorf("storage: binding locks: %w", err)
	}
	var locked []int64
	if err := db.wq(ctx).SelectContext(ctx, &locked, db.w.Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("storage: binding locks: %w", err)
	}
	for _, id := range locked {
		out[id] = true
	}
	return out, nil
}

const bindLockSelect = `SELECT l.deputy_id, d.name, COALESCE(g.name, '') AS delegation,
	CASE WHEN d.openid IS NULL THEN 0 ELSE 1 END AS bound, l.locked_at, l.failures
	FROM bind_locks l JOIN deputies d ON d.id = l.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id`

// ListBindLocks returns the binding locks set after since, newest first.
func (db *DB) ListBindLocks(ctx context.Context, since time.Time) ([]model.BindLock, error) {
	var out []model.BindLock
	if err := db.rq(ctx).SelectContext(ctx, &out, bindLockSelect+` WHERE l.locked_at > ? ORDER BY l.locked_at DESC, l.deputy_id`, since.UTC()); err != nil {
		return nil, fmt.Errorf("storage: binding locks: %w", err)
	}
	for i := range out {
		out[i].LockedAt = out[i].LockedAt.UTC()
	}
	return out, nil
}

// GetBindLock returns the deputy's binding lock, or model.ErrNotFound.
func (db *DB) GetBindLock(ctx context.Context, deputyID int64) (model.BindLock, error) {
	var out model.BindLock
	err := db.rq(ctx).GetContext(ctx, &out, bindLockSelect+` WHERE l.deputy_id = ?`, deputyID)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("storage: binding lock of deputy %d: %w", deputyID, model.ErrNotFound)
	}
	if err != nil {
		return out, fmt.Errorf("storage: binding lock of deputy %d: %w", deputyID, err)
	}
	out.LockedAt = out.LockedAt.UTC()
	return out, nil
}
