package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"time"
)

// The kv table holds small shared values with an expiry, such as the
// WeChat access token every instance must share.

// KVGet returns the value stored under key, or ErrNotFound when it is
// missing or expired.
func (db *DB) KVGet(ctx context.Context, key string) (string, error) {
	var v string
	var exp sql.NullTime
	err := db.wq(ctx).QueryRowxContext(ctx, `SELECT v, expires_at FROM kv WHERE k = ?`, key).Scan(&v, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", model.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("storage: kv get: %w", err)
	}
	if exp.Valid && !exp.Time.After(db.now()) {
		return "", model.ErrNotFound
	}
	return v, nil
}

// KVSet stores value under key; ttl <= 0 means it never expires.
func (db *DB) KVSet(ctx context.Context, key, value string, ttl time.Duration) error {
	var exp any
	if ttl > 0 {
		exp = db.now().Add(ttl).UTC()
	}
	q := `INSERT INTO kv (k, v, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (k) DO UPDATE SET v = excluded.v, expires_at = excluded.expires_at`
	if db.dialect == MySQL {
		q = `INSERT INTO kv (k, v, expires_at) VALUES (?, ?, ?)
		ON DUPLICATE KEY UPDATE v = VALUES(v), expires_at = VALUES(expires_at)`
	}
	if _, err := db.wq(ctx).ExecContext(ctx, q, key, value, exp); err != nil {
		return fmt.Errorf("storage: kv set: %w", err)
	}
	return nil
}

// KVDelete removes key; a missing key is not an error.
func (db *DB) KVDelete(ctx context.Context, key string) error {
	if _, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM kv WHERE k = ?`, key); err != nil {
		return fmt.Errorf("storage: kv delete: %w", err)
	}
	return nil
}

// KVSetIfAbsent stores value under key unless the key exists (another
// instance won the race); it never expires.
func (db *DB) KVSetIfAbsent(ctx context.Context, key, value string) error {
	if _, err := db.wq(ctx).ExecContext(ctx, db.insertIgnore()+` INTO kv (k, v) VALUES (?, ?)`, key, value); err != nil {
		return fmt.Errorf("storage: kv set: %w", err)
	}
	return nil
}
