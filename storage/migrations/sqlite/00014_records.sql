-- +goose Up
-- 履职登记: activities a deputy reports through the bot. They count in the
-- performance record (履职档案) only once staff approve them.
CREATE TABLE record_entries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    deputy_id   INTEGER NOT NULL REFERENCES deputies(id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    happened_on DATE NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',
    review_note TEXT NOT NULL DEFAULT '',
    reviewed_by TEXT NOT NULL DEFAULT '',
    reviewed_at DATETIME,
    channel     TEXT NOT NULL DEFAULT 'wechat',
    created_at  DATETIME NOT NULL
);
CREATE INDEX record_entries_deputy ON record_entries(deputy_id, happened_on);
CREATE INDEX record_entries_status ON record_entries(status, created_at);

-- +goose Down
DROP TABLE record_entries;
