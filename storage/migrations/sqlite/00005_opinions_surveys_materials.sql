-- +goose Up
-- Draft regulations put out for deputies' opinions (法规草案征求意见).
CREATE TABLE solicitations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    link       TEXT NOT NULL DEFAULT '',
    articles   INTEGER NOT NULL DEFAULT 0,
    opens_at   DATETIME NOT NULL,
    closes_at  DATETIME NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX solicitations_window ON solicitations(closes_at, opens_at);

-- The last receipt sequence handed out per year: bumped in the same
-- transaction as the opinion it numbers.
CREATE TABLE opinion_counters (
    receipt_year INTEGER PRIMARY KEY,
    last_seq     INTEGER NOT NULL
);

-- Deputies' opinions (意见建议), including opinions on a solicitation.
CREATE TABLE opinions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt         TEXT NOT NULL UNIQUE,
    deputy_id       INTEGER NOT NULL REFERENCES deputies(id),
    category        TEXT NOT NULL,
    solicitation_id INTEGER REFERENCES solicitations(id),
    article         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'received',
    staff_reply     TEXT NOT NULL DEFAULT '',
    replied_at      DATETIME,
    channel         TEXT NOT NULL DEFAULT 'wechat',
    created_at      DATETIME NOT NULL
);
CREATE INDEX opinions_deputy ON opinions(deputy_id, created_at);
CREATE INDEX opinions_solicitation ON opinions(solicitation_id);
CREATE INDEX opinions_status ON opinions(status, created_at);

CREATE TABLE surveys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    intro      TEXT NOT NULL DEFAULT '',
    anonymous  INTEGER NOT NULL DEFAULT 0,
    opens_at   DATETIME NOT NULL,
    closes_at  DATETIME NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX surveys_window ON surveys(closes_at, opens_at);

CREATE TABLE survey_questions (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL,
    options   TEXT NOT NULL DEFAULT '[]',
    optional  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (survey_id, position)
);

-- A response's id is random, not a sequence, and the tables below have no
-- rowid, so neither ids nor storage order reveal the order in which
-- deputies answered an anonymous survey. deputy_id is NULL for anonymous
-- surveys.
CREATE TABLE survey_responses (
    id           INTEGER PRIMARY KEY,
    survey_id    INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    deputy_id    INTEGER REFERENCES deputies(id) ON DELETE CASCADE,
    submitted_at DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (survey_id, deputy_id)
);

CREATE TABLE survey_answers (
    response_id INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    value       TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID;

-- Only THAT a deputy answered (to stop reminders and refuse a second
-- anonymous submission), never what.
CREATE TABLE survey_participants (
    survey_id   INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    deputy_id   INTEGER NOT NULL REFERENCES deputies(id) ON DELETE CASCADE,
    answered_at DATETIME NOT NULL,
    PRIMARY KEY (survey_id, deputy_id)
) WITHOUT ROWID;
CREATE INDEX survey_participants_deputy ON survey_participants(deputy_id);

-- Study materials (学习材料): a link or a body.
CREATE TABLE materials (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    link         TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    published_at DATETIME NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX materials_published ON materials(published_at);

CREATE TABLE material_studies (
    material_id INTEGER NOT NULL REFERENCES materials(id) ON DELETE CASCADE,
    deputy_id   INTEGER NOT NULL REFERENCES deputies(id) ON DELETE CASCADE,
    studied_at  DATETIME NOT NULL,
    PRIMARY KEY (material_id, deputy_id)
);
CREATE INDEX material_studies_deputy ON material_studies(deputy_id);

-- +goose Down
DROP TABLE material_studies;
DROP TABLE materials;
DROP TABLE survey_participants;
DROP TABLE survey_answers;
DROP TABLE survey_responses;
DROP TABLE survey_questions;
DROP TABLE surveys;
DROP TABLE opinions;
DROP TABLE opinion_counters;
DROP TABLE solicitations;
