-- +goose Up
-- Opinions on a draft regulation that the legislative affairs committee
-- adopted (采纳); the author is told when one is marked.
CREATE TABLE opinion_adoptions (
    opinion_id INTEGER PRIMARY KEY REFERENCES opinions(id) ON DELETE CASCADE,
    adopted_by TEXT NOT NULL DEFAULT '',
    adopted_at DATETIME NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
);

-- 双联系: committee members, each linked to 5–7 deputies, and the
-- contacts they log with them.
CREATE TABLE committee_members (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);

CREATE TABLE member_links (
    member_id INTEGER NOT NULL REFERENCES committee_members(id) ON DELETE CASCADE,
    deputy_id INTEGER NOT NULL REFERENCES deputies(id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, deputy_id)
);
CREATE INDEX member_links_deputy ON member_links(deputy_id);

CREATE TABLE member_contacts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id  INTEGER NOT NULL REFERENCES committee_members(id) ON DELETE CASCADE,
    deputy_id  INTEGER NOT NULL REFERENCES deputies(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    on_date    DATE NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX member_contacts_member ON member_contacts(member_id, on_date);

-- +goose Down
DROP TABLE member_contacts;
DROP TABLE member_links;
DROP TABLE committee_members;
DROP TABLE opinion_adoptions;
