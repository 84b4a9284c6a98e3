-- +goose Up
-- A notice is what is pushed: its detail page, its template fields.
CREATE TABLE notices (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    fields     TEXT NOT NULL DEFAULT '{}',
    link       TEXT NOT NULL DEFAULT '',
    urgent     INTEGER NOT NULL DEFAULT 0,
    ref_kind   TEXT NOT NULL DEFAULT '',
    ref_id     INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);

-- A campaign sends one notice to an audience, now or at send_at.
CREATE TABLE campaigns (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id    INTEGER NOT NULL REFERENCES notices(id),
    audience     TEXT NOT NULL,
    status       TEXT NOT NULL,
    send_at      DATETIME NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    expanded_at  DATETIME,
    finished_at  DATETIME
);
CREATE INDEX campaigns_due ON campaigns(status, send_at);

-- One row per recipient per push: the outbox.
CREATE TABLE deliveries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    source         TEXT NOT NULL,
    campaign_id    INTEGER,
    notice_id      INTEGER NOT NULL REFERENCES notices(id),
    deputy_id      INTEGER NOT NULL,
    openid         TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    urgent         INTEGER NOT NULL DEFAULT 0,
    reason         TEXT NOT NULL DEFAULT '',
    errcode        INTEGER NOT NULL DEFAULT 0,
    channel        TEXT NOT NULL DEFAULT '',
    channel_reason TEXT NOT NULL DEFAULT '',
    client_msg_id  TEXT NOT NULL DEFAULT '',
    msgid          INTEGER,
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_at        DATETIME NOT NULL,
    lease_until    DATETIME,
    first_try_at   DATETIME,
    created_at     DATETIME NOT NULL,
    sent_at        DATETIME,
    delivered_at   DATETIME,
    read_at        DATETIME,
    UNIQUE (source, deputy_id)
);
CREATE INDEX deliveries_due ON deliveries(status, next_at);
CREATE INDEX deliveries_campaign ON deliveries(campaign_id, status);
CREATE INDEX deliveries_msgid ON deliveries(msgid);
CREATE INDEX deliveries_deputy ON deliveries(deputy_id);

-- Template messages sent per day (Asia/Shanghai), against the daily quota.
CREATE TABLE send_quota (
    day  TEXT PRIMARY KEY,
    used INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE send_quota;
DROP TABLE deliveries;
DROP TABLE campaigns;
DROP TABLE notices;
