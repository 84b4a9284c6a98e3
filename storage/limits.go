package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Attempt limits (console logins, binding in the chat) reserve an attempt
// before its outcome is known: the reservation is counted at once, so
// requests running in parallel, on one instance or several, cannot get
// past a limit by all checking it before any of them records its failure.
// A success releases its reservation; a failure leaves it, as the record
// of the failure.

// Tables that hold reservations: the console's login attempts and the
// binding attempts counted per deputy and overall.
const (
	loginAttempts = "login_attempts"
	limitAttempts = "limit_attempts"
)

// ReserveLoginAttempt reserves a console login attempt under key (u:NAME
// or a:ADDRESS); see reserveAttempt.
func (db *DB) ReserveLoginAttempt(ctx context.Context, key string, since time.Time, max int, refuse func(recent []time.Time) bool) (int64, []time.Time, error) {
	return db.reserveAttempt(ctx, loginAttempts, key, since, max, refuse)
}

// ReleaseLoginAttempt removes reservation id: the attempt succeeded.
func (db *DB) ReleaseLoginAttempt(ctx context.Context, id int64) error {
	return db.releaseAttempt(ctx, loginAttempts, id)
}

// ReserveAttempt reserves a binding attempt under key (d:ID for a deputy,
// all for every attempt); see reserveAttempt.
func (db *DB) ReserveAttempt(ctx context.Context, key string, since time.Time, max int, refuse func(recent []time.Time) bool) (int64, []time.Time, error) {
	return db.reserveAttempt(ctx, limitAttempts, key, since, max, refuse)
}

// ReleaseAttempt removes binding reservation id: the attempt succeeded.
func (db *DB) ReleaseAttempt(ctx context.Context, id int64) error {
	return db.releaseAttempt(ctx, limitAttempts, id)
}

// CountAttempts counts the binding attempts recorded under key after since.
func (db *DB) CountAttempts(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	if err := db.wq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM limit_attempts WHERE k = ? AND at > ?`, key, since.UTC()); err != nil {
		return 0, fmt.Errorf("storage: count attempts: %w", err)
	}
	return n, nil
}

// limitKeyUpsert writes key's row in limit_keys (k, last_at), creating it
// when missing: in a transaction it holds the row until the end, which is
// what serialises the users of one key.
func (db *DB) limitKeyUpsert() string {
	if db.dialect == MySQL {
		return `INSERT INTO limit_keys (k, last_at) VALUES (?, ?) ON DUPLICATE KEY UPDATE last_at = VALUES(last_at)`
	}
	return `INSERT INTO limit_keys (k, last_at) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET last_at = excluded.last_at`
}

// reserveAttempt takes the key's row lock, reads the newest attempts under
// key after since (at most max, newest first) and, unless refuse says the
// key is locked by them, records a new attempt. It returns the new
// attempt's id, or 0 when refused, and the attempts it read. The lock is
// held until the reservation is committed, so of two reservations of one
// key the second sees the first.
func (db *DB) reserveAttempt(ctx context.Context, table, key string, since time.Time, max int, refuse func(recent []time.Time) bool) (int64, []time.Time, error) {
	now := db.now().UTC()
	upsert := db.limitKeyUpsert()
	var id int64
	var recent []time.Time
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, upsert, key, now); err != nil {
			return err
		}
		recent = recent[:0]
		if err := tx.SelectContext(ctx, &recent, fmt.Sprintf(`SELECT at FROM %s WHERE k = ? AND at > ? ORDER BY at DESC, id DESC LIMIT %d`,
			table, max), key, since.UTC()); err != nil {
			return err
		}
		for i := range recent {
			recent[i] = recent[i].UTC()
		}
		if refuse(recent) {
			id = 0
			return nil
		}
		res, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s (k, at) VALUES (?, ?)`, table), key, now)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("storage: reserve attempt: %w", err)
	}
	return id, recent, nil
}

func (db *DB) releaseAttempt(ctx context.Context, table string, id int64) error {
	if _, err := db.wq(ctx).ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE id = ?`, table), id); err != nil {
		return fmt.Errorf("storage: release attempt %d: %w", id, err)
	}
	return nil
}

// PruneLoginAttempts forgets console login attempts recorded before
// before, so made-up usernames do not pile up.
func (db *DB) PruneLoginAttempts(ctx context.Context, before time.Time) error {
	if _, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM login_attempts WHERE at < ?`, before.UTC()); err != nil {
		return fmt.Errorf("storage: prune login attempts: %w", err)
	}
	return nil
}

// PruneLimits forgets binding attempts and the lock rows of keys last used
// before before (the cleanup job).
func (db *DB) PruneLimits(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for _, q := range []string{`DELETE FROM limit_attempts WHERE at < ?`, `DELETE FROM limit_keys WHERE last_at < ?`} {
		res, err := db.wq(ctx).ExecContext(ctx, q, before.UTC())
		if err != nil {
			return total, fmt.Errorf("storage: prune attempt limits: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
