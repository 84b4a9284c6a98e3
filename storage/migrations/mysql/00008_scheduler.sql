-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- One row per job run: scheduled by cron, caught up at start after a
-- missed tick, or started by hand (deputybot job run NAME). A row is
-- inserted as running and finished as ok, failed or skipped. counts is a
-- JSON object of numbers; note is an error or a short remark, never a
-- message text.
CREATE TABLE IF NOT EXISTS job_runs (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    job          VARCHAR(64) NOT NULL,
    kind         VARCHAR(16) NOT NULL DEFAULT 'scheduled',
    scheduled_at DATETIME(6) NOT NULL,
    started_at   DATETIME(6) NOT NULL,
    finished_at  DATETIME(6) NULL,
    status       VARCHAR(16) NOT NULL,
    counts       TEXT NOT NULL,
    note         VARCHAR(1000) NOT NULL DEFAULT '',
    KEY job_runs_job (job, scheduled_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS job_runs;
