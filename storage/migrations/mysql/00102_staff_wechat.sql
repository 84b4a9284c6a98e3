-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- A staff account's own WeChat: a handling unit's staff (or committee
-- staff) bind it with a 6-digit code the account issues itself in the
-- console or the API, and are then told of their suggestions there.
CREATE TABLE IF NOT EXISTS staff_wechat (
    staff_id          BIGINT NOT NULL PRIMARY KEY,
    openid            VARCHAR(64) NULL,
    bound_at          DATETIME(6) NULL,
    bind_code         VARCHAR(6) NULL,
    bind_code_expires DATETIME(6) NULL,
    UNIQUE KEY staff_wechat_openid (openid),
    KEY staff_wechat_code (bind_code),
    CONSTRAINT staff_wechat_staff_fk FOREIGN KEY (staff_id) REFERENCES staff(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS staff_wechat;
