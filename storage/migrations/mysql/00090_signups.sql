-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- A meeting or activity opened for sign-up (活动报名): how many places and
-- until when deputies may sign up or withdraw.
CREATE TABLE IF NOT EXISTS signup_windows (
    meeting_id BIGINT NOT NULL PRIMARY KEY,
    capacity   INT NOT NULL,
    deadline   DATETIME(6) NOT NULL,
    opened_by  VARCHAR(100) NOT NULL DEFAULT '',
    opened_at  DATETIME(6) NOT NULL,
    KEY signup_windows_deadline (deadline),
    CONSTRAINT signup_windows_meeting_fk FOREIGN KEY (meeting_id) REFERENCES meetings(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One deputy's sign-up: confirmed (holds a place, with an invitation
-- answered 参加), waiting (in order of signed_at, id) or withdrawn.
CREATE TABLE IF NOT EXISTS signups (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    meeting_id BIGINT NOT NULL,
    deputy_id  BIGINT NOT NULL,
    status     VARCHAR(16) NOT NULL,
    channel    VARCHAR(16) NOT NULL DEFAULT '',
    signed_at  DATETIME(6) NOT NULL,
    changed_at DATETIME(6) NOT NULL,
    UNIQUE KEY signups_meeting_deputy (meeting_id, deputy_id),
    KEY signups_queue (meeting_id, status, signed_at, id),
    KEY signups_deputy (deputy_id),
    CONSTRAINT signups_meeting_fk FOREIGN KEY (meeting_id) REFERENCES meetings(id) ON DELETE CASCADE,
    CONSTRAINT signups_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS signups;
DROP TABLE IF EXISTS signup_windows;
