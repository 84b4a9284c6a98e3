-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
CREATE TABLE IF NOT EXISTS suggestions (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    number          VARCHAR(32) NOT NULL,
    title           VARCHAR(300) NOT NULL,
    summary         TEXT NOT NULL,
    session         VARCHAR(64) NOT NULL DEFAULT '',
    lead_deputy_id  BIGINT NOT NULL,
    host_unit       VARCHAR(200) NOT NULL DEFAULT '',
    co_units        TEXT NOT NULL,
    status          VARCHAR(16) NOT NULL DEFAULT 'assigned',
    deadline        DATE NULL,
    reply_category  VARCHAR(1) NOT NULL DEFAULT '',
    reply_text      MEDIUMTEXT NOT NULL,
    replied_at      DATETIME(6) NULL,
    concluded_at    DATETIME(6) NULL,
    rehandle_reason TEXT NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    UNIQUE KEY suggestions_number (number),
    KEY suggestions_status (status),
    KEY suggestions_host_unit (host_unit),
    KEY suggestions_session (session),
    KEY suggestions_lead (lead_deputy_id),
    CONSTRAINT suggestions_lead_fk FOREIGN KEY (lead_deputy_id) REFERENCES deputies(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS suggestion_deputies (
    suggestion_id BIGINT NOT NULL,
    deputy_id     BIGINT NOT NULL,
    role          VARCHAR(16) NOT NULL,
    PRIMARY KEY (suggestion_id, deputy_id),
    KEY suggestion_deputies_deputy (deputy_id),
    CONSTRAINT suggestion_deputies_suggestion_fk FOREIGN KEY (suggestion_id) REFERENCES suggestions(id) ON DELETE CASCADE,
    CONSTRAINT suggestion_deputies_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS suggestion_steps (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    suggestion_id BIGINT NOT NULL,
    at            DATETIME(6) NOT NULL,
    kind          VARCHAR(16) NOT NULL,
    actor         VARCHAR(200) NOT NULL DEFAULT '',
    note          MEDIUMTEXT NOT NULL,
    KEY suggestion_steps_suggestion (suggestion_id, at),
    CONSTRAINT suggestion_steps_suggestion_fk FOREIGN KEY (suggestion_id) REFERENCES suggestions(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS suggestion_ratings (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    suggestion_id BIGINT NOT NULL,
    deputy_id     BIGINT NOT NULL,
    contact       VARCHAR(16) NOT NULL,
    attitude      VARCHAR(16) NOT NULL,
    result        VARCHAR(16) NOT NULL,
    reason        TEXT NOT NULL,
    rated_at      DATETIME(6) NOT NULL,
    revised_at    DATETIME(6) NULL,
    UNIQUE KEY suggestion_ratings_deputy_once (suggestion_id, deputy_id),
    KEY suggestion_ratings_deputy (deputy_id),
    CONSTRAINT suggestion_ratings_suggestion_fk FOREIGN KEY (suggestion_id) REFERENCES suggestions(id) ON DELETE CASCADE,
    CONSTRAINT suggestion_ratings_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS suggestion_ratings;
DROP TABLE IF EXISTS suggestion_steps;
DROP TABLE IF EXISTS suggestion_deputies;
DROP TABLE IF EXISTS suggestions;
