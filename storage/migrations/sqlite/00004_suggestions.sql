-- +goose Up
-- 代表建议: each suggestion filed at a session, assigned to a host unit
-- (主办单位) with co-handling units (协办单位), replied to, concluded, and
-- sent back for re-handling when a deputy is dissatisfied.
CREATE TABLE suggestions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    number          TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    session         TEXT NOT NULL DEFAULT '',
    lead_deputy_id  INTEGER NOT NULL REFERENCES deputies(id),
    host_unit       TEXT NOT NULL DEFAULT '',
    co_units        TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'assigned',
    deadline        DATE,
    reply_category  TEXT NOT NULL DEFAULT '',
    reply_text      TEXT NOT NULL DEFAULT '',
    replied_at      DATETIME,
    concluded_at    DATETIME,
    rehandle_reason TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX suggestions_status ON suggestions(status);
CREATE INDEX suggestions_host_unit ON suggestions(host_unit);
CREATE INDEX suggestions_session ON suggestions(session);
CREATE INDEX suggestions_lead ON suggestions(lead_deputy_id);

-- The lead deputy (领衔) and the seconders (附议); the lead is also in
-- suggestions.lead_deputy_id.
CREATE TABLE suggestion_deputies (
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
    deputy_id     INTEGER NOT NULL REFERENCES deputies(id),
    role          TEXT NOT NULL,
    PRIMARY KEY (suggestion_id, deputy_id)
);
CREATE INDEX suggestion_deputies_deputy ON suggestion_deputies(deputy_id);

-- The handling history, oldest first.
CREATE TABLE suggestion_steps (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
    at            DATETIME NOT NULL,
    kind          TEXT NOT NULL,
    actor         TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX suggestion_steps_suggestion ON suggestion_steps(suggestion_id, at);

-- 办理满意度测评: one rating per deputy per suggestion, revisable.
CREATE TABLE suggestion_ratings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
    deputy_id     INTEGER NOT NULL REFERENCES deputies(id),
    contact       TEXT NOT NULL,
    attitude      TEXT NOT NULL,
    result        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    rated_at      DATETIME NOT NULL,
    revised_at    DATETIME,
    UNIQUE (suggestion_id, deputy_id)
);
CREATE INDEX suggestion_ratings_deputy ON suggestion_ratings(deputy_id);

-- +goose Down
DROP TABLE suggestion_ratings;
DROP TABLE suggestion_steps;
DROP TABLE suggestion_deputies;
DROP TABLE suggestions;
