-- +goose Up
CREATE TABLE delegations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    created_at DATETIME NOT NULL
);

CREATE TABLE deputies (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT NOT NULL,
    gender             TEXT NOT NULL DEFAULT '',
    ethnicity          TEXT NOT NULL DEFAULT '',
    birth_date         DATE,
    delegation_id      INTEGER REFERENCES delegations(id),
    level              TEXT NOT NULL DEFAULT 'provincial',
    grassroots         INTEGER NOT NULL DEFAULT 0,
    occupation         TEXT NOT NULL DEFAULT '',
    professional_group TEXT NOT NULL DEFAULT '',
    phone              TEXT UNIQUE,
    status             TEXT NOT NULL DEFAULT 'active',
    terminated_on      DATE,
    termination_reason TEXT NOT NULL DEFAULT '',
    openid             TEXT UNIQUE,
    bound_at           DATETIME,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL
);
CREATE INDEX deputies_delegation ON deputies(delegation_id);
CREATE INDEX deputies_name ON deputies(name);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE deputy_tags (
    deputy_id INTEGER NOT NULL REFERENCES deputies(id) ON DELETE CASCADE,
    tag_id    INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (deputy_id, tag_id)
);
CREATE INDEX deputy_tags_tag ON deputy_tags(tag_id);

CREATE TABLE kv (
    k          TEXT PRIMARY KEY,
    v          TEXT NOT NULL,
    expires_at DATETIME
);

-- +goose Down
DROP TABLE kv;
DROP TABLE deputy_tags;
DROP TABLE tags;
DROP TABLE deputies;
DROP TABLE delegations;
