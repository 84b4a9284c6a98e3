-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- The last receipt sequence of messages handed out per year: bumped in
-- the same transaction as the message it numbers (LY2026-00012).
CREATE TABLE IF NOT EXISTS message_counters (
    receipt_year INT NOT NULL PRIMARY KEY,
    last_seq     INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Messages (留言) followers leave in the chat that no conversation took:
-- a bound deputy's (deputy_id set) or a member of the public's.
CREATE TABLE IF NOT EXISTS messages (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    receipt     VARCHAR(32) NOT NULL,
    openid      VARCHAR(64) NOT NULL,
    deputy_id   BIGINT NULL,
    kind        VARCHAR(16) NOT NULL DEFAULT 'text',
    body        MEDIUMTEXT NOT NULL,
    status      VARCHAR(16) NOT NULL DEFAULT 'unread',
    assignee_id BIGINT NULL,
    assigned_by VARCHAR(100) NOT NULL DEFAULT '',
    assigned_at DATETIME(6) NULL,
    close_note  VARCHAR(500) NOT NULL DEFAULT '',
    created_at  DATETIME(6) NOT NULL,
    replied_at  DATETIME(6) NULL,
    closed_at   DATETIME(6) NULL,
    UNIQUE KEY messages_receipt (receipt),
    KEY messages_status (status, created_at),
    KEY messages_openid (openid, created_at),
    KEY messages_deputy (deputy_id, created_at),
    KEY messages_assignee (assignee_id, status),
    CONSTRAINT messages_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id),
    CONSTRAINT messages_assignee_fk FOREIGN KEY (assignee_id) REFERENCES staff(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Staff's replies to a message; source names the push that took each
-- reply to the sender (its delivery row).
CREATE TABLE IF NOT EXISTS message_replies (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    message_id BIGINT NOT NULL,
    staff_id   BIGINT NOT NULL DEFAULT 0,
    staff_name VARCHAR(100) NOT NULL DEFAULT '',
    body       MEDIUMTEXT NOT NULL,
    source     VARCHAR(64) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    KEY message_replies_message (message_id, id),
    CONSTRAINT message_replies_message_fk FOREIGN KEY (message_id) REFERENCES messages(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS message_replies;
DROP TABLE IF EXISTS messages;
DROP TABLE IF EXISTS message_counters;
