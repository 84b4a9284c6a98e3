// Package storage owns every SQL statement of deputybot. It runs the same
// on embedded SQLite (modernc.org/sqlite, no cgo) and on MySQL/MariaDB.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect names the SQL backend.
type Dialect string

// The supported dialects.
const (
	SQLite Dialect = "sqlite"
	MySQL  Dialect = "mysql"
)

// DB is deputybot's database. On SQLite, writes go through a single
// connection (SQLite has one writer) while reads use a small pool; on
// MySQL both are the same pool.
type DB struct {
	dialect Dialect
	w       *sqlx.DB // writes and transactions
	r       *sqlx.DB // reads
	dsn     string
	now     func() time.Time
	// claimLock ends ClaimDue's SELECT: FOR UPDATE SKIP LOCKED on MySQL 8
	// and MariaDB 10.6+; a plain FOR UPDATE on TiDB, which accepts SKIP
	// LOCKED and then takes no lock at all (through 8.5) or refuses it;
	// nothing on SQLite. Claims stay exclusive either way (see ClaimDue).
	claimLock string
	// claimPaused, when set (tests), runs between a claim's SELECT and
	// its UPDATE.
	claimPaused func()

	// wc and rc keep the statements prepared on the writer and the
	// readers (stmtcache.go); on MySQL, one pool, they are one cache.
	wc, rc *stmtCache

	chatOnce sync.Once
	chatStmt *sqlx.Stmt // GetChatState's query, prepared on SQLite

	searches searchCache // this instance's latest material searches
}

// SetClock replaces the clock used for expiries (tests inject one).
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// Open connects to the database, checks it answers and that every prepared
// statement compiles against the current schema once migrations are applied
// (see Migrate). driver is "sqlite" or "mysql".
func Open(ctx context.Context, driver, dsn string) (*DB, error) {
	switch Dialect(driver) {
	case SQLite:
		return openSQLite(ctx, dsn)
	case MySQL:
		return openMySQL(ctx, dsn)
	default:
		return nil, fmt.Errorf("storage: unknown driver %q (use sqlite or mysql)", driver)
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if dir := filepath.Dir(path); dir != "" && path != ":memory:" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("storage: create %s: %w", dir, err)
		}
	}
	params := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=mmap_size(268435456)&_time_format=sqlite"
	w, err := sqlx.Open("sqlite", "file:"+path+params+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("storage: open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	// The writer creates the file and sets WAL before any reader opens it.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("storage: sqlite %s: %w", path, err)
	}
	r, err := sqlx.Open("sqlite", "file:"+path+params+"&mode=ro")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("storage: open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	db := &DB{dialect: SQLite, w: w, r: r, dsn: path, now: time.Now, wc: newStmtCache(w, maxCachedStatements), rc: newStmtCache(r, maxCachedStatements)}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: sqlite %s: %w", path, err)
	}
	return db, nil
}

// mysqlConns bounds the MySQL pool: the connections open at once, and
// the idle ones kept.
const mysqlConns = 32

// SQLMode is the SQL mode of every MySQL connection: MySQL 8's default.
const SQLMode = "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"

// MySQLConfig parses a MySQL DSN and applies the settings deputybot needs:
// utf8mb4, parseTime, UTC.
func MySQLConfig(dsn string) (*mysql.Config, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	cfg.ParseTime = true
	// One round trip per statement instead of prepare, execute, close.
	cfg.InterpolateParams = true
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_unicode_ci"
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	// MySQL 8's default SQL mode on every server, whatever its own
	// configuration: MariaDB's default lacks ONLY_FULL_GROUP_BY, so a
	// query MySQL 8 refuses would pass every MariaDB test; and a server
	// configured with ANSI_QUOTES or PIPES_AS_CONCAT would read our SQL
	// differently.
	cfg.Params["sql_mode"] = "'" + SQLMode + "'"
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 30 * time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	return cfg, nil
}

func openMySQL(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := MySQLConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("storage: mysql dsn: %w", err)
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("storage: mysql: %w", err)
	}
	x := sqlx.NewDb(sql.OpenDB(conn), "mysql")
	x.SetMaxOpenConns(mysqlConns)
	// As many idle as open: with fewer, a burst of callbacks returning
	// their connections at once closes the surplus, and the next burst
	// opens them again (TCP, handshake, the session's SET), hundreds of
	// times a second under 32 clients.
	x.SetMaxIdleConns(mysqlConns)
	// Below MySQL's default wait_timeout (8 h) and any proxy's idle cut.
	x.SetConnMaxLifetime(3 * time.Minute)
	x.SetConnMaxIdleTime(time.Minute)
	// One pool: the writer's and the readers' statements are one cache.
	c := newStmtCache(x, maxCachedStatementsMySQL)
	db := &DB{dialect: MySQL, w: x, r: x, dsn: cfg.FormatDSN(), now: time.Now, wc: c, rc: c}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: mysql: %w", err)
	}
	var version string
	if err := x.GetContext(ctx, &version, `SELECT VERSION()`); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: mysql version: %w", err)
	}
	db.claimLock = ` FOR UPDATE SKIP LOCKED`
	if strings.Contains(version, "TiDB") {
		db.claimLock = ` FOR UPDATE`
	}
	return db, nil
}

// Dialect reports the backend.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers, for /healthz.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return err
	}
	if db.r != db.w {
		return db.r.PingContext(ctx)
	}
	return nil
}

// Close releases every connection.
func (db *DB) Close() error {
	if db.chatStmt != nil {
		db.chatStmt.Close()
	}
	if db.wc != nil {
		db.wc.close()
		if db.rc != db.wc {
			db.rc.close()
		}
	}
	err := db.w.Close()
	if db.r != db.w {
		if e := db.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// SQL exposes the writer pool to code that needs a *sql.DB of its own
// (the migration runner, the scheduler's lock connection).
func (db *DB) SQL() *sql.DB { return db.w.DB }

// txKey carries the transaction a caller opened with InTx in a context.
type txKey struct{}

// querier is what a statement runs on: the pools or a transaction.
type querier interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// txOf returns the transaction ctx carries, if any.
func txOf(ctx context.Context) *sqlx.Tx {
	tx, _ := ctx.Value(txKey{}).(*sqlx.Tx)
	return tx
}

// wq is where a write runs: the caller's transaction, else the writer.
func (db *DB) wq(ctx context.Context) querier {
	forget(ctx)
	return db.latest(ctx)
}

// rq is where a read runs: the caller's transaction (so it sees the
// transaction's own writes), else the readers.
func (db *DB) rq(ctx context.Context) querier {
	tx := txOf(ctx)
	switch {
	case tx != nil && db.wc != nil:
		return cached{c: db.wc, tx: tx}
	case tx != nil:
		return tx
	case db.rc != nil:
		return cached{c: db.rc}
	}
	return db.r
}

// InTx runs fn in one transaction: every storage call made with the
// context fn is given takes part in it, and it commits when fn returns nil.
// It is how core makes a change and its audit entry one write. Called
// inside another InTx, it joins that transaction (behind a savepoint, so a
// failure undoes only fn's part).
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}

// InTransaction reports whether ctx carries an InTx transaction.
func InTransaction(ctx context.Context) bool { return txOf(ctx) != nil }

// savepoints numbers nested transactions' savepoints.
var savepoints atomic.Int64

// inTx runs fn in a transaction on the writer, committing when fn returns
// nil; inside the caller's transaction it runs behind a savepoint.
func (db *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	forget(ctx)
	if outer := txOf(ctx); outer != nil {
		sp := fmt.Sprintf("sp_%d", savepoints.Add(1))
		if _, err := outer.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
			return fmt.Errorf("storage: savepoint: %w", err)
		}
		if err := fn(outer); err != nil {
			_, _ = outer.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+sp)
			return err
		}
		_, err := outer.ExecContext(ctx, "RELEASE SAVEPOINT "+sp)
		return err
	}
	tx, err := db.w.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// isDuplicate reports whether err is a uniqueness violation on either backend.
func isDuplicate(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// upsertIgnore returns the dialect's "insert, ignore if the key exists" verb.
func (db *DB) insertIgnore() string {
	if db.dialect == MySQL {
		return "INSERT IGNORE"
	}
	return "INSERT OR IGNORE"
}

// countable lists the tables CountRows may count.
var countable = map[string]bool{
	"deputies": true, "delegations": true, "tags": true, "wechat_inbound": true,
	"followers": true, "template_reports": true, "conversations": true, "bind_attempts": true, "parked_conversations": true, "sessions": true,
	"suggestions": true, "suggestion_deputies": true, "suggestion_steps": true, "suggestion_ratings": true,
	"opinions": true, "surveys": true, "survey_responses": true, "survey_answers": true, "survey_participants": true,
	"materials": true, "material_studies": true, "meetings": true, "invitations": true, "pending_asks": true, "job_runs": true,
	"callback_nonces": true,
}

// CountRows returns the number of rows in one of deputybot's tables, for
// dashboards, metrics and tests.
func (db *DB) CountRows(ctx context.Context, table string) (int, error) {
	if !countable[table] {
		return 0, fmt.Errorf("storage: count rows: unknown table %q", table)
	}
	var n int
	if err := db.rq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM `+table); err != nil {
		return 0, fmt.Errorf("storage: count %s: %w", table, err)
	}
	return n, nil
}

// countBy runs a "SELECT key, COUNT(*) … GROUP BY key" query and returns
// the counts by key.
func (db *DB) countBy(ctx context.Context, what, q string, args ...any) (map[string]int, error) {
	rows, err := db.rq(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: %s: %w", what, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return nil, fmt.Errorf("storage: %s: %w", what, err)
		}
		out[key] = n
	}
	return out, rows.Err()
}
