package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// On SQLite the statements are prepared once and kept; what the callers
// see does not change: the same results, inside and outside transactions,
// past the cache's bound, and for several statements in one string.
func TestSQLiteKeepsStatementsPreparedWithoutChangingResults(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Open(t, storage.SQLite)

	// A statement first met inside a transaction runs there at once (the
	// transaction holds the writer's one connection: preparing on the pool
	// would wait for itself) and is prepared once the transaction is done.
	const q = "SELECT COUNT(*) + ? FROM deputies"
	w0, _ := storage.CachedStatements(db)
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := db.InTx(tctx, func(ctx context.Context) error {
		n, err := storage.ReadInt(ctx, db, q, 7)
		if err == nil && n != 7 {
			err = fmt.Errorf("got %d, want 7", n)
		}
		return err
	})
	if err != nil {
		t.Fatalf("a new statement inside a transaction: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if w, _ := storage.CachedStatements(db); w > w0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the statement met in a transaction was not prepared after it")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := db.InTx(ctx, func(ctx context.Context) error {
		n, err := storage.ReadInt(ctx, db, q, 8)
		if err == nil && n != 8 {
			err = fmt.Errorf("got %d, want 8", n)
		}
		return err
	}); err != nil {
		t.Fatalf("the kept statement inside a transaction: %v", err)
	}

	// Past the bound, statements run unprepared and still answer.
	for i := range storage.MaxCachedStatements + 20 {
		n, err := storage.ReadInt(ctx, db, fmt.Sprintf("SELECT %d + ?", i), 1)
		if err != nil || n != i+1 {
			t.Fatalf("statement %d: %d, %v", i, n, err)
		}
	}
	if _, r := storage.CachedStatements(db); r != storage.MaxCachedStatements {
		t.Errorf("the readers keep %d statements, want the bound %d", r, storage.MaxCachedStatements)
	}

	// Two statements in one string both run.
	if err := storage.Exec(ctx, db, "CREATE TABLE t_one (x INTEGER); CREATE TABLE t_two (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	if n, err := storage.ReadInt(ctx, db, "SELECT COUNT(*) FROM t_two"); err != nil || n != 0 {
		t.Fatalf("the second of two statements did not run: %d, %v", n, err)
	}

	// A statement that does not compile reports its error.
	if _, err := storage.ReadInt(ctx, db, "SELECT nope FROM nowhere"); err == nil {
		t.Fatal("a statement that does not compile gave no error")
	}
}

// On MySQL too the statements are kept prepared (sparing the server the
// parsing of each), within a smaller bound, without changing results:
// the same rows, inside and outside transactions, with every type the
// binary protocol carries differently from interpolated text (times,
// NULLs, booleans as integers), and past the bound.
func TestMySQLKeepsStatementsPreparedWithoutChangingResults(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Open(t, storage.MySQL)

	if err := storage.Exec(ctx, db, `CREATE TABLE t_kept (id BIGINT PRIMARY KEY, name VARCHAR(50), at DATETIME(6), flag TINYINT(1) NOT NULL, note TEXT NULL)`); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 20, 14, 25, 586550000, time.UTC)
	if err := db.InTx(ctx, func(ctx context.Context) error {
		return storage.Exec(ctx, db, `INSERT INTO t_kept (id, name, at, flag, note) VALUES (1, '代表', '2026-12-07 20:14:25.58655', 1, NULL)`)
	}); err != nil {
		t.Fatal(err)
	}
	const q = "SELECT COUNT(*) + ? FROM t_kept WHERE at = ? AND flag = ? AND note IS NULL AND name = ?"
	w0, _ := storage.CachedStatements(db)
	for i := range 3 {
		n, err := storage.ReadInt(ctx, db, q, i, at, true, "代表")
		if err != nil || n != i+1 {
			t.Fatalf("read %d: %d, %v", i, n, err)
		}
	}
	if w, _ := storage.CachedStatements(db); w <= w0 {
		t.Fatalf("the statement was not kept (%d kept before, %d after)", w0, w)
	}
	if err := db.InTx(ctx, func(ctx context.Context) error {
		n, err := storage.ReadInt(ctx, db, q, 7, at, true, "代表")
		if err == nil && n != 8 {
			err = fmt.Errorf("got %d, want 8", n)
		}
		return err
	}); err != nil {
		t.Fatalf("the kept statement inside a transaction: %v", err)
	}
	got, err := storage.ReadRow(ctx, db, "SELECT name, at, flag, note FROM t_kept WHERE id = ?", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "代表" || !got.At.Equal(at) || !got.Flag || got.Note.Valid {
		t.Fatalf("read back %+v", got)
	}

	// MariaDB refuses, prepared, a placeholder in the select list of an
	// aggregate (ONLY_FULL_GROUP_BY): such a statement runs unprepared,
	// its first time and after, inside a transaction too.
	const agg = "INSERT INTO t_kept (id, name, at, flag) SELECT COALESCE(MAX(id), 0) + 1, ?, ?, ? FROM t_kept WHERE id > ?"
	for i := range 3 {
		if err := db.InTx(ctx, func(ctx context.Context) error {
			return storage.ExecArgs(ctx, db, agg, fmt.Sprint("代表", i), at, false, 0)
		}); err != nil {
			t.Fatalf("an aggregate with placeholders in its select list, time %d: %v", i, err)
		}
		if err := storage.ExecArgs(ctx, db, agg, fmt.Sprint("代表", i), at, false, 0); err != nil {
			t.Fatalf("an aggregate with placeholders in its select list, time %d: %v", i, err)
		}
	}
	if n, err := storage.ReadInt(ctx, db, "SELECT COUNT(*) FROM t_kept WHERE flag = ?", false); err != nil || n != 6 {
		t.Fatalf("the aggregate inserts wrote %d rows (%v), want 6", n, err)
	}
	if _, err := db.SQL().ExecContext(ctx, "DELETE FROM t_kept WHERE flag = 0"); err != nil {
		t.Fatal(err)
	}

	// Past the bound, statements run unprepared and still answer.
	for i := range storage.MaxCachedStatementsMySQL + 20 {
		n, err := storage.ReadInt(ctx, db, fmt.Sprintf("SELECT %d + ?", i), 1)
		if err != nil || n != i+1 {
			t.Fatalf("statement %d: %d, %v", i, n, err)
		}
	}
	if w, r := storage.CachedStatements(db); w != storage.MaxCachedStatementsMySQL || r != w {
		t.Errorf("the pool keeps %d (%d) statements, want the bound %d", w, r, storage.MaxCachedStatementsMySQL)
	}

	// A statement that does not compile reports its error.
	if _, err := storage.ReadInt(ctx, db, "SELECT nope FROM nowhere"); err == nil {
		t.Fatal("a statement that does not compile gave no error")
	}
}

// A burst of callbacks that takes every MySQL connection and returns them
// at once keeps them all for the next burst: none is closed to be opened
// again (a connect, a handshake and the session's SET each).
func TestMySQLPoolKeepsItsConnectionsBetweenBursts(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Open(t, storage.MySQL)
	pool := db.SQL()
	open := pool.Stats().MaxOpenConnections
	conns := make([]*sql.Conn, open)
	for i := range conns {
		c, err := pool.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	for _, c := range conns {
		c.Close()
	}
	if s := pool.Stats(); s.Idle != open || s.MaxIdleClosed != 0 {
		t.Fatalf("after a burst of %d: %d idle, %d closed for want of idle room", open, s.Idle, s.MaxIdleClosed)
	}
}
