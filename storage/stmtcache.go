package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// On SQLite, compiling a statement costs more than running most of ours:
// under the chat's traffic a third of serve's CPU went to SQLite's parser
// (BenchmarkCallbackMix, docs/benchmarks.md). So on SQLite every statement
// that goes through wq and rq is prepared once per pool and connection and
// kept: database/sql prepares a Stmt lazily on each connection it runs on,
// and a transaction reuses the statement already prepared on its
// connection (Tx.StmtContext).
//
// On MySQL the same holds for the server: under the chat's traffic the
// database server, not serve, is the busy process, and a kept statement
// spares it the parsing of every query (about a quarter of its CPU for a
// lookup by key on MariaDB 10.11). Once prepared on a connection, a kept
// statement runs in one round trip, as an interpolated query does. The
// server holds at most max_prepared_stmt_count statements (16,382 by
// default) for all its clients: a MySQL pool keeps fewer statements
// (maxCachedStatementsMySQL, on each of its connections), and a statement
// the server refuses to run prepared runs unprepared (see unprepared).

// maxCachedStatements bounds the statements kept per pool. Ours are
// written in the code, a few hundred in all; statements built with a
// variable number of placeholders add some. Past the bound, a statement
// runs unprepared, as before: never closing a cached statement means one
// never closes under a caller.
const maxCachedStatements = 1024

// maxCachedStatementsMySQL bounds them on MySQL, where each is prepared
// on every pooled connection it runs on: 128 statements on 32
// connections are at most 4,096 of the server's 16,382, leaving room for
// other instances and clients. The chat's statements are met first and
// often, so they are among the kept.
const maxCachedStatementsMySQL = 128

// stmtCache holds the statements prepared on one pool.
type stmtCache struct {
	pool *sqlx.DB
	max  int // statements kept at most
	mu   sync.RWMutex
	m    map[string]*sqlx.Stmt
	// never holds the statements the server ran unprepared but refused
	// prepared (see unpreparable): they always run unprepared.
	never map[string]bool
	// later takes the statements first met inside a transaction: on the
	// writer's one connection, which the transaction holds, preparing
	// would wait for itself. A goroutine prepares them once the
	// connection is free.
	later     chan string
	startOnce sync.Once
	ctx       context.Context // ends at close
	cancel    context.CancelFunc
	done      chan struct{}
}

func newStmtCache(pool *sqlx.DB, max int) *stmtCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &stmtCache{pool: pool, max: max, m: map[string]*sqlx.Stmt{}, later: make(chan string, 256),
		ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

// get returns query's statement, preparing it on first use; nil when the
// query is not kept (several statements in one string, the cache full, a
// prepare that failed: running it unprepared reports the error) or, in a
// transaction, not kept yet.
func (c *stmtCache) get(ctx context.Context, query string, inTx bool) *sqlx.Stmt {
	c.mu.RLock()
	st, ok := c.m[query]
	full := len(c.m) >= c.max || c.never[query]
	c.mu.RUnlock()
	if ok || full {
		return st
	}
	if strings.Contains(strings.TrimRight(strings.TrimSpace(query), ";"), ";") {
		return nil // Prepare compiles only the first statement of several
	}
	if inTx {
		c.startOnce.Do(func() { go c.prepareLater() })
		select {
		case c.later <- query:
		default: // met again later
		}
		return nil
	}
	// Not ctx's cancellation: it must not fail a statement others will use.
	return c.prepare(context.WithoutCancel(ctx), query)
}

// prepare prepares query on the pool and keeps it. The lock is not held
// while preparing: the preparer of later statements waits there for the
// writer's connection, and a transaction holding it may be asking get.
func (c *stmtCache) prepare(ctx context.Context, query string) *sqlx.Stmt {
	st, err := c.pool.PreparexContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if kept, ok := c.m[query]; ok {
		st.Close()
		return kept
	}
	if c.never[query] {
		st.Close()
		return nil
	}
	if len(c.m) >= c.max {
		st.Close()
		return nil
	}
	c.m[query] = st
	return st
}

// prepareLater prepares the statements met in transactions, until close.
func (c *stmtCache) prepareLater() {
	defer close(c.done)
	for {
		select {
		case <-c.ctx.Done():
			return
		case q := <-c.later:
			c.mu.RLock()
			_, ok := c.m[q]
			c.mu.RUnlock()
			if !ok {
				c.prepare(c.ctx, q)
			}
		}
	}
}

func (c *stmtCache) close() {
	c.cancel()
	c.startOnce.Do(func() { close(c.done) }) // never started
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}

// cached runs statements through a cache: on its pool, or in tx (a
// transaction on that pool) when tx is set.
type cached struct {
	c  *stmtCache
	tx *sqlx.Tx
}

// stmt returns the statement to run query with, or nil to run it as is.
func (q cached) stmt(ctx context.Context, query string) *sqlx.Stmt {
	st := q.c.get(ctx, query, q.tx != nil)
	if st == nil || q.tx == nil {
		return st
	}
	return q.tx.StmtxContext(ctx, st)
}

// base is where a statement that is not kept runs.
func (q cached) base() querier {
	if q.tx != nil {
		return q.tx
	}
	return q.c.pool
}

func (q cached) DriverName() string                               { return q.c.pool.DriverName() }
func (q cached) Rebind(s string) string                           { return q.c.pool.Rebind(s) }
func (q cached) BindNamed(s string, a any) (string, []any, error) { return q.c.pool.BindNamed(s, a) }

func (q cached) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.stmt(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		if !q.unprepared(query, err) {
			return rows, err
		}
	}
	return q.base().QueryContext(ctx, query, args...)
}

func (q cached) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	if st := q.stmt(ctx, query); st != nil {
		rows, err := st.QueryxContext(ctx, args...)
		if !q.unprepared(query, err) {
			return rows, err
		}
	}
	return q.base().QueryxContext(ctx, query, args...)
}

func (q cached) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	if st := q.stmt(ctx, query); st != nil {
		row := st.QueryRowxContext(ctx, args...)
		if !q.unprepared(query, row.Err()) {
			return row
		}
	}
	return q.base().QueryRowxContext(ctx, query, args...)
}

func (q cached) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.stmt(ctx, query); st != nil {
		res, err := st.ExecContext(ctx, args...)
		if !q.unprepared(query, err) {
			return res, err
		}
	}
	return q.base().ExecContext(ctx, query, args...)
}

func (q cached) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	if st := q.stmt(ctx, query); st != nil {
		if err := st.GetContext(ctx, dest, args...); !q.unprepared(query, err) {
			return err
		}
	}
	return q.base().GetContext(ctx, dest, query, args...)
}

func (q cached) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	if st := q.stmt(ctx, query); st != nil {
		if err := st.SelectContext(ctx, dest, args...); !q.unprepared(query, err) {
			return err
		}
	}
	return q.base().SelectContext(ctx, dest, query, args...)
}

// unprepared reports whether a kept statement failed for being prepared
// (see unpreparable), and then should run unprepared: nothing of it ran.
// A statement the server will never run prepared is no longer kept.
func (q cached) unprepared(query string, err error) bool {
	var me *mysql.MySQLError
	if err == nil || !errors.As(err, &me) {
		return false
	}
	switch me.Number {
	case 1461:
		// max_prepared_stmt_count reached, preparing it on a connection
		// it had not run on: the server may have room again later.
		return true
	case 1140, 1295:
		// 1140: MariaDB takes a placeholder in the select list of an
		// aggregate without GROUP BY (INSERT … SELECT ?, MAX(…)) for a
		// column, which ONLY_FULL_GROUP_BY refuses, where the
		// interpolated value is a constant; 1295: a statement the
		// prepared protocol does not support.
		q.c.forget(query)
		return true
	}
	return false
}

// forget stops keeping query: it runs unprepared from now on.
func (c *stmtCache) forget(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.never == nil {
		c.never = map[string]bool{}
	}
	c.never[query] = true
	// Not closed: another caller may be running it. The server frees it
	// with its connections.
	delete(c.m, query)
}
