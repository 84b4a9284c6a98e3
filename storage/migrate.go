package storage

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/sqlite/*.sql migrations/mysql/*.sql
var migrations embed.FS

// MigrationState is one migration and whether it has been applied.
type MigrationState struct {
	Version int64
	Name    string
	Applied bool
}

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	// Features are numbered in ranges as they are built, so a release can
	// bring a migration numbered below one a database already has (00021
	// after 00030): apply it rather than refuse to start.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if db.dialect == MySQL {
		dialect = goose.DialectMySQL
		// Two instances starting together must not both migrate.
		locker, err := lock.NewMySQLTableLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithLocker(locker))
	}
	return goose.NewProvider(dialect, db.w.DB, sub, opts...)
}

// Migrate applies every pending migration and returns how many ran.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, fmt.Errorf("storage: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("storage: migrate: %w", err)
	}
	// Materials from before the search index (migration 00083) are
	// indexed once; later ones are indexed as they are written.
	if _, err := db.indexUnindexedMaterials(ctx); err != nil {
		return len(res), err
	}
	return len(res), nil
}

// MigrationStatus lists every known migration and whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	p, err := db.provider()
	if err != nil {
		return nil, fmt.Errorf("storage: migrations: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: migration status: %w", err)
	}
	out := make([]MigrationState, len(st))
	for i, s := range st {
		out[i] = MigrationState{Version: s.Source.Version, Name: s.Source.Path, Applied: s.State == goose.StateApplied}
	}
	return out, nil
}
