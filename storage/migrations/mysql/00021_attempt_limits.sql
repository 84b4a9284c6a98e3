-- +goose Up
-- One row per key an attempt limit counts under (a console account or
-- address, a deputy being bound, all binding): a reservation updates its
-- row first, which serializes reservations of the key across instances.
CREATE TABLE IF NOT EXISTS limit_keys (
    k       VARCHAR(191) NOT NULL PRIMARY KEY,
    last_at DATETIME(6) NOT NULL,
    KEY limit_keys_last (last_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Binding attempts reserved before their outcome is known, per deputy
-- named (d:ID) and overall (all); a success removes its reservation, so
-- what stays are failures.
CREATE TABLE IF NOT EXISTS limit_attempts (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    k  VARCHAR(191) NOT NULL,
    at DATETIME(6) NOT NULL,
    KEY limit_attempts_k (k, at),
    KEY limit_attempts_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Deputies whose binding by phone digits is locked after too many failed
-- attempts against them; they bind only with a code staff issue. The row
-- goes when the deputy binds.
CREATE TABLE IF NOT EXISTS bind_locks (
    deputy_id BIGINT NOT NULL PRIMARY KEY,
    locked_at DATETIME(6) NOT NULL,
    failures  INT NOT NULL,
    CONSTRAINT bind_locks_deputy FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS bind_locks;
DROP TABLE IF EXISTS limit_attempts;
DROP TABLE IF EXISTS limit_keys;
