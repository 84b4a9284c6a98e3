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
	res, err := db.w.ExecContext(ctx, `DELETE FROM conversations WHERE expires_at < ?`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: prune conversations: %w", err)
	}
	return res.RowsAffected()
}

// PruneKV deletes kv entries that expired before before (entries without
// an expiry stay) and returns how many went.
func (db *DB) PruneKV(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at < ?`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: prune kv: %w", err)
	}
	return res.RowsAffected()
}
