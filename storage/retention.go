package storage

import (
	"context"
	"fmt"
	"time"
)

// PruneConversations deletes conversations that expired before before and
// returns how many went. The engine still reads an expired conversation
// to tell the deputy it timed out, so callers keep a grace period.
func (db *DB) PruneConversations(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM conversations WHERE expires_at < ?`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: prune conversations: %w", err)
	}
	return res.RowsAffected()
}

// PruneKV deletes kv entries that expired before before (entries without
// an expiry stay) and returns how many went.
func (db *DB) PruneKV(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at < ?`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: prune kv: %w", err)
	}
	return res.RowsAffected()
}

// pruneBefore deletes the rows of table whose column is before before.
func (db *DB) pruneBefore(ctx context.Context, table, column string, before time.Time) (int64, error) {
	res, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM `+table+` WHERE `+column+` < ?`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: prune %s: %w", table, err)
	}
	return res.RowsAffected()
}

// PruneParked deletes conversations a menu click set aside before before
// that were never resumed with 继续.
func (db *DB) PruneParked(ctx context.Context, before time.Time) (int64, error) {
	return db.pruneBefore(ctx, "parked_conversations", "parked_at", before)
}

// PruneBindAttempts deletes failed binding attempts made before before;
// the lockout only looks at the last hour.
func (db *DB) PruneBindAttempts(ctx context.Context, before time.Time) (int64, error) {
	return db.pruneBefore(ctx, "bind_attempts", "at", before)
}

// PruneTemplateReports deletes delivery reports received before before.
// A report is kept only for a send not yet recorded when it arrived, which
// is a matter of seconds.
func (db *DB) PruneTemplateReports(ctx context.Context, before time.Time) (int64, error) {
	return db.pruneBefore(ctx, "template_reports", "received_at", before)
}

// PruneSessions deletes console sessions that expired before before.
func (db *DB) PruneSessions(ctx context.Context, before time.Time) (int64, error) {
	return db.pruneBefore(ctx, "sessions", "expiry", before)
}
