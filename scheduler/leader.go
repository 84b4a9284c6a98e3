package scheduler

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"deputybot/storage"
)

// On MySQL/MariaDB the leader is the instance holding the named lock
// GET_LOCK('deputybot_scheduler/<database>'): a session lock, held by one
// dedicated connection for as long as the instance leads, and released by
// the server when that connection dies, so a crashed leader hands over by
// itself. The database name is part of the lock name because named locks
// are server-wide and two deployments (staging, production) may share a
// server. Each run also holds a per-job lock for its duration, so a
// manual run and a scheduled run of the same job never overlap.
//
// On SQLite one process owns the file, so it always leads; per-job
// exclusion across processes (`deputybot job run` beside `serve`) comes
// from RecordJobRun's running-row check.

type lockConn = *sql.Conn

// lockTimeout bounds each lock statement.
const lockTimeout = 5 * time.Second

// leaderIdle is the leader lock connection's wait_timeout. The leader
// uses that connection at every check (every leaderRetry) and cron tick,
// so only a leader that stopped (hung process, lost network, dead host)
// leaves it idle this long; MariaDB then closes it and frees the lock.
// Without it the server's default (28,800 s) applies, or TCP keepalive
// (about two hours) for a dead host: no cron job would run meanwhile.
const leaderIdle = 4 * leaderRetry

// ensureLeader checks that this instance still holds the leader lock, or
// tries to take it (reconnecting if its connection died). gained reports a
// change from follower to leader.
func (s *Scheduler) ensureLeader(ctx context.Context) (leader, gained bool) {
	if s.db.Dialect() != storage.MySQL {
		return true, false
	}
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	ok, err := s.holdLeaderLock(ctx)
	if err != nil {
		s.log.Warn("scheduler: leader lock", "err", err)
	}
	was := s.leader.Swap(ok)
	switch {
	case ok && !was:
		s.log.Info("scheduler: this instance now runs the scheduled jobs")
	case !ok && was:
		s.log.Warn("scheduler: lost the leader lock; another instance runs the scheduled jobs")
	}
	return ok, ok && !was
}

// holdLeaderLock reports whether this instance holds the leader lock,
// taking it if it is free. s.lockMu is held.
func (s *Scheduler) holdLeaderLock(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	name, err := s.lockName(ctx, "deputybot_scheduler")
	if err != nil {
		return false, err
	}
	if s.lockConn != nil {
		var held sql.NullInt64
		err := s.lockConn.QueryRowContext(ctx, `SELECT IS_USED_LOCK(?) = CONNECTION_ID()`, name).Scan(&held)
		if err == nil && held.Int64 == 1 {
			return true, nil
		}
		// The connection died (server restart, network, KILL) or lost
		// the lock: drop it and try again on a fresh one.
		discard(s.lockConn)
		s.lockConn = nil
		if err != nil {
			s.log.Warn("scheduler: leader lock connection lost", "err", err)
		}
	}
	conn, ok, err := getLock(ctx, s.db.SQL(), name)
	if ok {
		s.lockConn = conn
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET SESSION wait_timeout = %d", int(leaderIdle.Seconds()))); err != nil {
			s.log.Warn("scheduler: leader lock idle timeout not set; a hung leader keeps the lock until the server's wait_timeout", "err", err)
		}
	}
	return ok, err
}

// releaseLeader gives up the leader lock so another instance takes over
// at once rather than when the connection times out.
func (s *Scheduler) releaseLeader() {
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	if s.lockConn != nil {
		releaseLock(s.lockConn, s.lockBase, "deputybot_scheduler")
		s.lockConn = nil
	}
	if s.db.Dialect() == storage.MySQL {
		s.leader.Store(false)
	}
}

// lockJob takes job's run lock on MySQL; release gives it back. ok is
// false when another session holds it.
func (s *Scheduler) lockJob(ctx context.Context, job string) (release func(), ok bool, err error) {
	if s.db.Dialect() != storage.MySQL {
		return func() {}, true, nil
	}
	lctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	s.lockMu.Lock()
	name, err := s.lockName(lctx, "deputybot_job", job)
	base := s.lockBase
	s.lockMu.Unlock()
	if err != nil {
		return nil, false, err
	}
	conn, ok, err := getLock(lctx, s.db.SQL(), name)
	if !ok {
		return nil, false, err
	}
	return func() { releaseLock(conn, base, "deputybot_job", job) }, true, nil
}

// lockName is prefix/<database>/parts…, hashed when longer than MySQL's
// 64-character limit. s.lockMu is held.
func (s *Scheduler) lockName(ctx context.Context, prefix string, parts ...string) (string, error) {
	if s.lockBase == "" {
		var dbName sql.NullString
		if err := s.db.SQL().QueryRowContext(ctx, `SELECT DATABASE()`).Scan(&dbName); err != nil {
			return "", fmt.Errorf("lock name: %w", err)
		}
		s.lockBase = dbName.String
	}
	return lockName(s.lockBase, prefix, parts...), nil
}

func lockName(base, prefix string, parts ...string) string {
	name := strings.Join(append([]string{prefix, base}, parts...), "/")
	if len(name) <= 64 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return prefix + "/" + hex.EncodeToString(sum[:])[:64-len(prefix)-1]
}

// getLock takes the named lock on a connection of its own, without
// waiting. On success the caller owns conn; otherwise it is returned.
func getLock(ctx context.Context, db *sql.DB, name string) (lockConn, bool, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT GET_LOCK(?, 0)`, name).Scan(&got); err != nil {
		discard(conn)
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	if got.Int64 != 1 {
		conn.Close()
		return nil, false, nil
	}
	return conn, true, nil
}

// releaseLock releases the lock and returns conn to the pool, or closes
// the connection outright (which releases it too) if that fails: a pooled
// connection must never keep a lock.
func releaseLock(conn lockConn, base, prefix string, parts ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), lockTimeout)
	defer cancel()
	var released sql.NullInt64
	err := conn.QueryRowContext(ctx, `SELECT RELEASE_LOCK(?)`, lockName(base, prefix, parts...)).Scan(&released)
	if err != nil || released.Int64 != 1 {
		discard(conn)
		return
	}
	conn.Close()
}

// discard closes conn's network connection instead of pooling it.
func discard(conn lockConn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}
