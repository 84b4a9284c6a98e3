-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- 履职登记: activities a deputy reports through the bot. They count in the
-- performance record (履职档案) only once staff approve them.
CREATE TABLE IF NOT EXISTS record_entries (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    deputy_id   BIGINT NOT NULL,
    category    VARCHAR(16) NOT NULL,
    happened_on DATE NOT NULL,
    place       VARCHAR(200) NOT NULL DEFAULT '',
    description VARCHAR(500) NOT NULL,
    status      VARCHAR(16) NOT NULL DEFAULT 'pending',
    review_note VARCHAR(500) NOT NULL DEFAULT '',
    reviewed_by VARCHAR(100) NOT NULL DEFAULT '',
    reviewed_at DATETIME(6) NULL,
    channel     VARCHAR(16) NOT NULL DEFAULT 'wechat',
    created_at  DATETIME(6) NOT NULL,
    KEY record_entries_deputy (deputy_id, happened_on),
    KEY record_entries_status (status, created_at),
    CONSTRAINT record_entries_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS record_entries;
