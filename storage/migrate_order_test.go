package storage_test

import (
	"testing"

	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestAMigrationNumberedBelowTheLatestIsApplied: a database deployed from
// a release whose newest migration is 00030 is later given 00020 (built in
// its own number range); serve's migration applies it instead of refusing
// to start.
func TestAMigrationNumberedBelowTheLatestIsApplied(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		// The fixture is migrated to the newest version; undo 00020 as if
		// that release had never had it.
		for _, q := range []string{`DROP TABLE callback_nonces`, `DELETE FROM goose_db_version WHERE version_id = 20`} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		n, err := db.Migrate(ctx)
		if err != nil {
			t.Fatalf("migrate with 00020 missing below the latest: %v", err)
		}
		if n != 1 {
			t.Fatalf("applied %d migrations, want 1 (00020)", n)
		}
		if _, err := db.SQL().ExecContext(ctx, `SELECT COUNT(*) FROM callback_nonces`); err != nil {
			t.Fatalf("00020 was not applied: %v", err)
		}
	})
}
