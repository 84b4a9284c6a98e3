-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- Console and API accounts. role is admin, staff, unit or readonly; unit
-- names the handling unit (承办单位) of a unit account. password_hash is
-- a bcrypt hash; must_change_password is set for generated passwords.
CREATE TABLE IF NOT EXISTS staff (
    id                   BIGINT AUTO_INCREMENT PRIMARY KEY,
    username             VARCHAR(64) NOT NULL,
    name                 VARCHAR(100) NOT NULL DEFAULT '',
    role                 VARCHAR(16) NOT NULL,
    unit                 VARCHAR(100) NOT NULL DEFAULT '',
    password_hash        VARCHAR(100) NOT NULL,
    must_change_password TINYINT(1) NOT NULL DEFAULT 0,
    disabled             TINYINT(1) NOT NULL DEFAULT 0,
    created_at           DATETIME(6) NOT NULL,
    last_login_at        DATETIME(6) NULL,
    UNIQUE KEY staff_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- API tokens: only the SHA-256 of the token is kept; it is shown once.
CREATE TABLE IF NOT EXISTS api_tokens (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    staff_id     BIGINT NOT NULL,
    name         VARCHAR(100) NOT NULL DEFAULT '',
    token_hash   CHAR(64) NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    last_used_at DATETIME(6) NULL,
    revoked_at   DATETIME(6) NULL,
    UNIQUE KEY api_tokens_hash (token_hash),
    KEY api_tokens_staff (staff_id),
    CONSTRAINT api_tokens_staff_fk FOREIGN KEY (staff_id) REFERENCES staff(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Console sessions (github.com/alexedwards/scs/v2); token is the SHA-256
-- of the cookie value.
CREATE TABLE IF NOT EXISTS sessions (
    token  VARCHAR(100) NOT NULL PRIMARY KEY,
    data   LONGBLOB NOT NULL,
    expiry DATETIME(6) NOT NULL,
    KEY sessions_expiry (expiry)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who changed what. summary never holds phone numbers or message texts.
CREATE TABLE IF NOT EXISTS audit_log (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    at         DATETIME(6) NOT NULL,
    staff_id   BIGINT NULL,
    staff_name VARCHAR(100) NOT NULL DEFAULT '',
    action     VARCHAR(64) NOT NULL,
    object     VARCHAR(200) NOT NULL DEFAULT '',
    summary    VARCHAR(2000) NOT NULL DEFAULT '',
    KEY audit_log_at (at),
    KEY audit_log_staff (staff_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Failed console logins, per account (u:NAME) and per address (a:IP), for
-- the login rate limit.
CREATE TABLE IF NOT EXISTS login_attempts (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    k  VARCHAR(191) NOT NULL,
    at DATETIME(6) NOT NULL,
    KEY login_attempts_k (k, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS login_attempts;
DROP TABLE IF EXISTS audit_log;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS api_tokens;
DROP TABLE IF EXISTS staff;
