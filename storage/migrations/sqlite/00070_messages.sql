-- +goose Up
-- The last receipt sequence of messages handed out per year: bumped in
-- the same transaction as the message it numbers (LY2026-00012).
CREATE TABLE message_counters (
    receipt_year INTEGER PRIMARY KEY,
    last_seq     INTEGER NOT NULL
);

-- Messages (留言) followers leave in the chat that no conversation took:
-- a bound deputy's (deputy_id set) or a member of the public's.
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt     TEXT NOT NULL UNIQUE,
    openid      TEXT NOT NULL,
    deputy_id   INTEGER REFERENCES deputies(id),
    kind        TEXT NOT NULL DEFAULT 'text',
    body        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'unread',
    assignee_id INTEGER REFERENCES staff(id),
    assigned_by TEXT NOT NULL DEFAULT '',
    assigned_at DATETIME,
    close_note  TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    replied_at  DATETIME,
    closed_at   DATETIME
);
CREATE INDEX messages_status ON messages(status, created_at);
CREATE INDEX messages_openid ON messages(openid, created_at);
CREATE INDEX messages_deputy ON messages(deputy_id, created_at);
CREATE INDEX messages_assignee ON messages(assignee_id, status);

-- Staff's replies to a message; source names the push that took each
-- reply to the sender (its delivery row).
CREATE TABLE message_replies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    staff_id   INTEGER NOT NULL DEFAULT 0,
    staff_name TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX message_replies_message ON message_replies(message_id, id);

-- +goose Down
DROP TABLE message_replies;
DROP TABLE messages;
DROP TABLE message_counters;
