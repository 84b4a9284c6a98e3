-- +goose Up
-- A push that expects an answer leaves a pending ask; a deputy's message
-- with no active flow answers the oldest one.
CREATE TABLE pending_asks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    deputy_id  INTEGER NOT NULL REFERENCES deputies(id) ON DELETE CASCADE,
    flow       TEXT NOT NULL,
    ref_id     INTEGER NOT NULL,
    title      TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    done_at    DATETIME,
    UNIQUE (deputy_id, flow, ref_id)
);
CREATE INDEX pending_asks_open ON pending_asks(deputy_id, done_at, created_at);

-- A flow interrupted by a menu click waits here until 继续.
CREATE TABLE parked_conversations (
    openid    TEXT PRIMARY KEY,
    flow      TEXT NOT NULL,
    step      TEXT NOT NULL,
    data      TEXT NOT NULL,
    parked_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE parked_conversations;
DROP TABLE pending_asks;
