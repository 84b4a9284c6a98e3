-- +goose Up
-- One row per job run: scheduled by cron, caught up at start after a
-- missed tick, or started by hand (deputybot job run NAME). A row is
-- inserted as running and finished as ok, failed or skipped. counts is a
-- JSON object of numbers; note is an error or a short remark, never a
-- message text.
CREATE TABLE job_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    job          TEXT NOT NULL,
    kind         TEXT NOT NULL DEFAULT 'scheduled',
    scheduled_at DATETIME NOT NULL,
    started_at   DATETIME NOT NULL,
    finished_at  DATETIME,
    status       TEXT NOT NULL,
    counts       TEXT NOT NULL DEFAULT '{}',
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job ON job_runs(job, scheduled_at);

-- +goose Down
DROP TABLE job_runs;
