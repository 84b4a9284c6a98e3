package storage_test

import (
	"context"
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
