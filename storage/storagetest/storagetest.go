// Package storagetest opens fresh, migrated databases for tests: SQLite in
// a temporary directory and MySQL/MariaDB as a uniquely named database on
// DEPUTYBOT_TEST_MYSQL_DSN (default root@tcp(127.0.0.1:3306)/test), dropped
// after the test.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"deputybot/storage"
)

// DefaultMySQLDSN is used when DEPUTYBOT_TEST_MYSQL_DSN is unset.
const DefaultMySQLDSN = "root@tcp(127.0.0.1:3306)/test"

// Dialects lists the backends every storage test runs on.
var Dialects = []storage.Dialect{storage.SQLite, storage.MySQL}

// Each runs fn as a subtest named after each dialect ("sqlite", "mysql"),
// with a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated database of dialect d, closed (and for
// MySQL dropped) when the test ends. Without a reachable MySQL the test is
// skipped, unless CI=true, where it fails.
func Open(t testing.TB, d storage.Dialect) *storage.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var dsn string
	switch d {
	case storage.SQLite:
		dsn = filepath.Join(t.TempDir(), "deputybot.db")
	case storage.MySQL:
		dsn = mysqlDatabase(t)
	}
	db, err := storage.Open(ctx, string(d), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// MySQLDSN returns the server DSN tests use.
func MySQLDSN() string {
	if v := os.Getenv("DEPUTYBOT_TEST_MYSQL_DSN"); v != "" {
		return v
	}
	return DefaultMySQLDSN
}

// NewMySQLDatabase creates a uniquely named database and returns its DSN;
// it is dropped when the test ends.
func NewMySQLDatabase(t testing.TB) string { return mysqlDatabase(t) }

func mysqlDatabase(t testing.TB) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(MySQLDSN())
	if err != nil {
		t.Fatalf("DEPUTYBOT_TEST_MYSQL_DSN: %v", err)
	}
	cfg.Timeout = 3 * time.Second
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("MySQL/MariaDB at %s is required when CI=true: %v", cfg.Addr, err)
		}
		t.Skipf("MySQL/MariaDB not reachable at %s (set DEPUTYBOT_TEST_MYSQL_DSN): %v", cfg.Addr, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "deputybot_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name)
		admin.Close()
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}
