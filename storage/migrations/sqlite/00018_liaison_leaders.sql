-- +goose Up
-- 双联系, second part. A committee member reaches the bot either through
-- the deputy record they hold (deputy_id) or, when not a deputy, by
-- binding their own WeChat with a code issued in the console.
CREATE TABLE member_bindings (
    member_id         INTEGER PRIMARY KEY REFERENCES committee_members(id) ON DELETE CASCADE,
    deputy_id         INTEGER UNIQUE REFERENCES deputies(id) ON DELETE SET NULL,
    openid            TEXT UNIQUE,
    bound_at          DATETIME,
    bind_code         TEXT,
    bind_code_expires DATETIME
);
CREATE INDEX member_bindings_code ON member_bindings(bind_code);

-- Provincial leaders who are deputies, linked to their electoral unit
-- (选举单位, the delegation of the registry), and the activities they
-- attend there: the plan asks for at least one a year.
CREATE TABLE liaison_leaders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    deputy_id     INTEGER NOT NULL UNIQUE REFERENCES deputies(id) ON DELETE CASCADE,
    delegation_id INTEGER NOT NULL REFERENCES delegations(id),
    title         TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL
);

CREATE TABLE leader_activities (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    leader_id  INTEGER NOT NULL REFERENCES liaison_leaders(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    on_date    DATE NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX leader_activities_leader ON leader_activities(leader_id, on_date);

-- +goose Down
DROP TABLE leader_activities;
DROP TABLE liaison_leaders;
DROP TABLE member_bindings;
