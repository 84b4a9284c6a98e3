-- +goose Up
CREATE TABLE meetings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    starts_at     DATETIME NOT NULL,
    ends_at       DATETIME,
    place         TEXT NOT NULL DEFAULT '',
    organiser     TEXT NOT NULL DEFAULT '',
    contact       TEXT NOT NULL DEFAULT '',
    rsvp_deadline DATETIME NOT NULL,
    created_at    DATETIME NOT NULL
);
CREATE INDEX meetings_starts ON meetings(starts_at);

CREATE TABLE invitations (
    meeting_id   INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    deputy_id    INTEGER NOT NULL REFERENCES deputies(id),
    status       TEXT NOT NULL DEFAULT 'pending',
    reason       TEXT NOT NULL DEFAULT '',
    channel      TEXT NOT NULL DEFAULT '',
    answered_at  DATETIME,
    attended     INTEGER,
    invited_at   DATETIME NOT NULL,
    PRIMARY KEY (meeting_id, deputy_id)
);
CREATE INDEX invitations_deputy ON invitations(deputy_id);

-- +goose Down
DROP TABLE invitations;
DROP TABLE meetings;
