package storage

import (
	"context"
	"database/sql"
	"time"
)

// SetClaimLock replaces the locking clause of ClaimDue's SELECT, so a test
// can claim as on a server that ignores SKIP LOCKED.
func SetClaimLock(db *DB, clause string) { db.claimLock = clause }

// SetClaimPaused makes every claim run pause between its SELECT and its
// UPDATE (nil: none).
func SetClaimPaused(db *DB, pause func()) { db.claimPaused = pause }

// CachedStatements counts the statements kept prepared on the writer and
// on the readers (on MySQL, one cache: the same count twice).
func CachedStatements(db *DB) (writer, readers int) {
	db.wc.mu.RLock()
	writer = len(db.wc.m)
	db.wc.mu.RUnlock()
	db.rc.mu.RLock()
	readers = len(db.rc.m)
	db.rc.mu.RUnlock()
	return writer, readers
}

// ReadInt runs query as a read (on the readers, or in ctx's transaction).
func ReadInt(ctx context.Context, db *DB, query string, args ...any) (int, error) {
	var n int
	err := db.rq(ctx).GetContext(ctx, &n, query, args...)
	return n, err
}

// Exec runs query as a write.
func Exec(ctx context.Context, db *DB, query string) error {
	_, err := db.wq(ctx).ExecContext(ctx, query)
	return err
}

// ExecArgs runs query with args as a write.
func ExecArgs(ctx context.Context, db *DB, query string, args ...any) error {
	_, err := db.wq(ctx).ExecContext(ctx, query, args...)
	return err
}

// MaxCachedStatements is the bound on statements kept per pool.
const MaxCachedStatements = maxCachedStatements

// MaxCachedStatementsMySQL is the bound on MySQL.
const MaxCachedStatementsMySQL = maxCachedStatementsMySQL

// KeptRow is a row of TestMySQLKeepsStatementsPreparedWithoutChangingResults.
type KeptRow struct {
	Name string         `db:"name"`
	At   time.Time      `db:"at"`
	Flag bool           `db:"flag"`
	Note sql.NullString `db:"note"`
}

// ReadRow reads one KeptRow as a read.
func ReadRow(ctx context.Context, db *DB, query string, args ...any) (KeptRow, error) {
	var r KeptRow
	err := db.rq(ctx).GetContext(ctx, &r, query, args...)
	return r, err
}

// Migrations is the embedded migrations, and RecountSuggestionsQuery the
// statement that fills suggestion_counts, for the test that they agree.
var (
	Migrations              = migrations
	RecountSuggestionsQuery = recountSuggestionsQuery
	RecountCampaignsQuery   = recountCampaignsQuery
)
