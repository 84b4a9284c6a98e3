-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
CREATE TABLE IF NOT EXISTS pending_asks (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    deputy_id  BIGINT NOT NULL,
    flow       VARCHAR(32) NOT NULL,
    ref_id     BIGINT NOT NULL,
    title      VARCHAR(200) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    done_at    DATETIME(6) NULL,
    UNIQUE KEY pending_asks_ref (deputy_id, flow, ref_id),
    KEY pending_asks_open (deputy_id, done_at, created_at),
    CONSTRAINT pending_asks_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS parked_conversations (
    openid    VARCHAR(64) NOT NULL PRIMARY KEY,
    flow      VARCHAR(32) NOT NULL,
    step      VARCHAR(32) NOT NULL,
    data      TEXT NOT NULL,
    parked_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS parked_conversations;
DROP TABLE IF EXISTS pending_asks;
