package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// sessionPruneEvery bounds how often a commit also deletes expired sessions.
const sessionPruneEvery = 10 * time.Minute

// SessionStore keeps console sessions in the sessions table. It satisfies
// github.com/alexedwards/scs/v2's Store and CtxStore without storage
// importing scs. Expired rows are never returned and are pruned now and
// then by Commit.
type SessionStore struct {
	db        *DB
	lastPrune atomic.Int64 // unix nanoseconds
}

// Sessions returns the session store over db.
func (db *DB) Sessions() *SessionStore { return &SessionStore{db: db} }

// FindCtx returns the data of an unexpired session.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.db.rq(ctx).QueryRowxContext(ctx, `SELECT data FROM sessions WHERE token = ? AND expiry > ?`,
		token, s.db.now().UTC()).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("storage: find session: %w", err)
	}
	return b, true, nil
}

// CommitCtx stores a session's data and expiry, replacing any earlier.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	q := `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`
	if s.db.dialect == MySQL {
		q = `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON DUPLICATE KEY UPDATE data = VALUES(data), expiry = VALUES(expiry)`
	}
	if _, err := s.db.wq(ctx).ExecContext(ctx, q, token, b, expiry.UTC()); err != nil {
		return fmt.Errorf("storage: commit session: %w", err)
	}
	now := s.db.now()
	if last := s.lastPrune.Load(); now.UnixNano()-last > int64(sessionPruneEvery) && s.lastPrune.CompareAndSwap(last, now.UnixNano()) {
		if _, err := s.PruneCtx(ctx); err != nil {
			return err
		}
	}
	return nil
}

// DeleteCtx removes a session; a missing one is not an error.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.wq(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE token = ?`, token); err != nil {
		return fmt.Errorf("storage: delete session: %w", err)
	}
	return nil
}

// PruneCtx deletes expired sessions and returns how many.
func (s *SessionStore) PruneCtx(ctx context.Context) (int64, error) {
	res, err := s.db.wq(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= ?`, s.db.now().UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: prune sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Find is FindCtx without a context.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
