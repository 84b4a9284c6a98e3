-- +goose Up
-- One row per inbound WeChat message or event, so a re-delivery (WeChat
-- retries after 5 s, up to three times) is answered with the same reply
-- and has no second effect, on any instance.
CREATE TABLE wechat_inbound (
    dedupe_key  TEXT PRIMARY KEY,
    openid      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'processing',
    reply       TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    finished_at DATETIME
);
CREATE INDEX wechat_inbound_created ON wechat_inbound(created_at);

CREATE TABLE followers (
    openid          TEXT PRIMARY KEY,
    following       INTEGER NOT NULL DEFAULT 1,
    subscribed_at   DATETIME,
    unsubscribed_at DATETIME,
    last_inbound_at DATETIME,
    updated_at      DATETIME NOT NULL
);

CREATE TABLE template_reports (
    msgid       INTEGER PRIMARY KEY,
    openid      TEXT NOT NULL,
    status      TEXT NOT NULL,
    received_at DATETIME NOT NULL
);

CREATE TABLE conversations (
    openid     TEXT PRIMARY KEY,
    flow       TEXT NOT NULL,
    step       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    misses     INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL
);

CREATE TABLE bind_attempts (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    openid TEXT NOT NULL,
    at     DATETIME NOT NULL
);
CREATE INDEX bind_attempts_openid ON bind_attempts(openid, at);

CREATE TABLE bind_codes (
    deputy_id  INTEGER PRIMARY KEY REFERENCES deputies(id) ON DELETE CASCADE,
    code       TEXT NOT NULL,
    expires_at DATETIME NOT NULL,
    created_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE bind_codes;
DROP TABLE bind_attempts;
DROP TABLE conversations;
DROP TABLE template_reports;
DROP TABLE followers;
DROP TABLE wechat_inbound;
