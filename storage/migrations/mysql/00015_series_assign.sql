-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- Who on the staff looks after an opinion (one assignee at a time).
CREATE TABLE IF NOT EXISTS opinion_assignments (
    opinion_id  BIGINT NOT NULL PRIMARY KEY,
    staff_id    BIGINT NOT NULL,
    assigned_by VARCHAR(100) NOT NULL DEFAULT '',
    assigned_at DATETIME(6) NOT NULL,
    KEY opinion_assignments_staff (staff_id),
    CONSTRAINT opinion_assignments_opinion_fk FOREIGN KEY (opinion_id) REFERENCES opinions(id) ON DELETE CASCADE,
    CONSTRAINT opinion_assignments_staff_fk FOREIGN KEY (staff_id) REFERENCES staff(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Recurring notices: one campaign per tick of a cron schedule.
CREATE TABLE IF NOT EXISTS notice_series (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    name          VARCHAR(100) NOT NULL,
    kind          VARCHAR(32) NOT NULL,
    title         VARCHAR(200) NOT NULL DEFAULT '',
    body          TEXT NOT NULL,
    audience      TEXT NOT NULL,
    schedule      VARCHAR(100) NOT NULL,
    next_material BOOLEAN NOT NULL DEFAULT FALSE,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    DATETIME(6) NOT NULL,
    last_run_at   DATETIME(6) NULL,
    KEY notice_series_active (active)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS notice_series;
DROP TABLE IF EXISTS opinion_assignments;
