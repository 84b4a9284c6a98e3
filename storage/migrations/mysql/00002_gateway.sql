-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
CREATE TABLE IF NOT EXISTS wechat_inbound (
    dedupe_key  VARCHAR(191) NOT NULL PRIMARY KEY,
    openid      VARCHAR(64) NOT NULL,
    kind        VARCHAR(32) NOT NULL,
    state       VARCHAR(16) NOT NULL DEFAULT 'processing',
    reply       MEDIUMTEXT NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    finished_at DATETIME(6) NULL,
    KEY wechat_inbound_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS followers (
    openid          VARCHAR(64) NOT NULL PRIMARY KEY,
    following       TINYINT(1) NOT NULL DEFAULT 1,
    subscribed_at   DATETIME(6) NULL,
    unsubscribed_at DATETIME(6) NULL,
    last_inbound_at DATETIME(6) NULL,
    updated_at      DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS template_reports (
    msgid       BIGINT NOT NULL PRIMARY KEY,
    openid      VARCHAR(64) NOT NULL,
    status      VARCHAR(64) NOT NULL,
    received_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS conversations (
    openid     VARCHAR(64) NOT NULL PRIMARY KEY,
    flow       VARCHAR(32) NOT NULL,
    step       VARCHAR(32) NOT NULL,
    data       TEXT NOT NULL,
    misses     INT NOT NULL DEFAULT 0,
    version    BIGINT NOT NULL DEFAULT 1,
    updated_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS bind_attempts (
    id     BIGINT AUTO_INCREMENT PRIMARY KEY,
    openid VARCHAR(64) NOT NULL,
    at     DATETIME(6) NOT NULL,
    KEY bind_attempts_openid (openid, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS bind_codes (
    deputy_id  BIGINT NOT NULL PRIMARY KEY,
    code       VARCHAR(16) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT bind_codes_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS bind_codes;
DROP TABLE IF EXISTS bind_attempts;
DROP TABLE IF EXISTS conversations;
DROP TABLE IF EXISTS template_reports;
DROP TABLE IF EXISTS followers;
DROP TABLE IF EXISTS wechat_inbound;
