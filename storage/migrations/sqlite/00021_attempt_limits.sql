-- +goose Up
-- One row per key an attempt limit counts under (a console account or
-- address, a deputy being bound, all binding): a reservation updates its
-- row first, which serializes reservations of the key across instances
-- (on SQLite the single writer already does).
CREATE TABLE IF NOT EXISTS limit_keys (
    k       TEXT PRIMARY KEY,
    last_at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS limit_keys_last ON limit_keys(last_at);

-- Binding attempts reserved before their outcome is known, per deputy
-- named (d:ID) and overall (all); a success removes its reservation, so
-- what stays are failures.
CREATE TABLE IF NOT EXISTS limit_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    k  TEXT NOT NULL,
    at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS limit_attempts_k ON limit_attempts(k, at);
CREATE INDEX IF NOT EXISTS limit_attempts_at ON limit_attempts(at);

-- Deputies whose binding by phone digits is locked after too many failed
-- attempts against them; they bind only with a code staff issue. The row
-- goes when the deputy binds.
CREATE TABLE IF NOT EXISTS bind_locks (
    deputy_id INTEGER PRIMARY KEY REFERENCES deputies(id) ON DELETE CASCADE,
    locked_at DATETIME NOT NULL,
    failures  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE IF EXISTS bind_locks;
DROP TABLE IF EXISTS limit_attempts;
DROP TABLE IF EXISTS limit_keys;
