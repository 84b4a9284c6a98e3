-- +goose Up
-- A meeting or activity opened for sign-up (活动报名): how many places and
-- until when deputies may sign up or withdraw.
CREATE TABLE signup_windows (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings(id) ON DELETE CASCADE,
    capacity   INTEGER NOT NULL,
    deadline   DATETIME NOT NULL,
    opened_by  TEXT NOT NULL DEFAULT '',
    opened_at  DATETIME NOT NULL
);
CREATE INDEX signup_windows_deadline ON signup_windows(deadline);

-- One deputy's sign-up: confirmed (holds a place, with an invitation
-- answered 参加), waiting (in order of signed_at, id) or withdrawn.
CREATE TABLE signups (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    deputy_id  INTEGER NOT NULL REFERENCES deputies(id),
    status     TEXT NOT NULL,
    channel    TEXT NOT NULL DEFAULT '',
    signed_at  DATETIME NOT NULL,
    changed_at DATETIME NOT NULL,
    UNIQUE (meeting_id, deputy_id)
);
CREATE INDEX signups_queue ON signups(meeting_id, status, signed_at, id);
CREATE INDEX signups_deputy ON signups(deputy_id);

-- +goose Down
DROP TABLE signups;
DROP TABLE signup_windows;
