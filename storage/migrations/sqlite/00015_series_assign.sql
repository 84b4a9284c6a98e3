-- +goose Up
-- Who on the staff looks after an opinion (one assignee at a time).
CREATE TABLE opinion_assignments (
    opinion_id  INTEGER PRIMARY KEY REFERENCES opinions(id) ON DELETE CASCADE,
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    assigned_by TEXT NOT NULL DEFAULT '',
    assigned_at DATETIME NOT NULL
);
CREATE INDEX opinion_assignments_staff ON opinion_assignments(staff_id);

-- Recurring notices: one campaign per tick of a cron schedule.
CREATE TABLE notice_series (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    audience      TEXT NOT NULL DEFAULT '{}',
    schedule      TEXT NOT NULL,
    next_material INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    last_run_at   DATETIME
);
CREATE INDEX notice_series_active ON notice_series(active);

-- +goose Down
DROP TABLE notice_series;
DROP TABLE opinion_assignments;
