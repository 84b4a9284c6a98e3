-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
CREATE TABLE IF NOT EXISTS suggestion_promises (
    suggestion_id BIGINT NOT NULL PRIMARY KEY,
    promise_date  DATE NOT NULL,
    reply_at      DATETIME(6) NULL,
    set_by        VARCHAR(200) NOT NULL DEFAULT '',
    set_at        DATETIME(6) NOT NULL,
    CONSTRAINT suggestion_promises_suggestion_fk FOREIGN KEY (suggestion_id) REFERENCES suggestions(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS suggestion_extensions (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    suggestion_id BIGINT NOT NULL,
    unit          VARCHAR(200) NOT NULL DEFAULT '',
    old_deadline  DATE NOT NULL,
    new_deadline  DATE NOT NULL,
    reason        TEXT NOT NULL,
    status        VARCHAR(16) NOT NULL DEFAULT 'pending',
    requested_by  VARCHAR(200) NOT NULL DEFAULT '',
    requested_at  DATETIME(6) NOT NULL,
    decided_by    VARCHAR(200) NOT NULL DEFAULT '',
    decided_at    DATETIME(6) NULL,
    decision_note TEXT NOT NULL,
    KEY suggestion_extensions_suggestion (suggestion_id, status),
    KEY suggestion_extensions_status (status, requested_at),
    CONSTRAINT suggestion_extensions_suggestion_fk FOREIGN KEY (suggestion_id) REFERENCES suggestions(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS suggestion_extensions;
DROP TABLE IF EXISTS suggestion_promises;
