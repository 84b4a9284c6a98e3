-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
CREATE TABLE IF NOT EXISTS meetings (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    kind          VARCHAR(32) NOT NULL,
    title         VARCHAR(200) NOT NULL,
    starts_at     DATETIME(6) NOT NULL,
    ends_at       DATETIME(6) NULL,
    place         VARCHAR(200) NOT NULL DEFAULT '',
    organiser     VARCHAR(100) NOT NULL DEFAULT '',
    contact       VARCHAR(100) NOT NULL DEFAULT '',
    rsvp_deadline DATETIME(6) NOT NULL,
    created_at    DATETIME(6) NOT NULL,
    KEY meetings_starts (starts_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS invitations (
    meeting_id   BIGINT NOT NULL,
    deputy_id    BIGINT NOT NULL,
    status       VARCHAR(16) NOT NULL DEFAULT 'pending',
    reason       VARCHAR(500) NOT NULL DEFAULT '',
    channel      VARCHAR(16) NOT NULL DEFAULT '',
    answered_at  DATETIME(6) NULL,
    attended     TINYINT(1) NULL,
    invited_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (meeting_id, deputy_id),
    KEY invitations_deputy (deputy_id),
    CONSTRAINT invitations_meeting_fk FOREIGN KEY (meeting_id) REFERENCES meetings(id) ON DELETE CASCADE,
    CONSTRAINT invitations_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS invitations;
DROP TABLE IF EXISTS meetings;
