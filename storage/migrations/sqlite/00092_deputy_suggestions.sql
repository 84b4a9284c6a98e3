-- +goose Up
-- Deputy-submitted suggestions (代表建议 drafted by the deputy): a
-- suggestion row is written as the deputy's draft, submitted for staff
-- review, returned with a reason, merged into another, or accepted and
-- assigned (the handling lifecycle then runs as for imported ones).
ALTER TABLE suggestions ADD COLUMN source TEXT NOT NULL DEFAULT 'staff';
ALTER TABLE suggestions ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE suggestions ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
ALTER TABLE suggestions ADD COLUMN merged_into INTEGER REFERENCES suggestions(id);
ALTER TABLE suggestions ADD COLUMN submitted_at DATETIME;
CREATE INDEX suggestions_source ON suggestions(source, status);

-- The co-signers (附议) a deputy asks: pending until the suggestion is
-- submitted, then invited, and confirmed or declined by their reply. The
-- confirmed become seconders when staff accept the suggestion.
CREATE TABLE suggestion_cosigners (
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
    deputy_id     INTEGER NOT NULL REFERENCES deputies(id),
    state         TEXT NOT NULL DEFAULT 'pending',
    answered_at   DATETIME,
    PRIMARY KEY (suggestion_id, deputy_id)
);
CREATE INDEX suggestion_cosigners_deputy ON suggestion_cosigners(deputy_id);

-- The files attached to a suggestion (photos sent in the chat, uploads).
CREATE TABLE suggestion_files (
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
    file_id       INTEGER NOT NULL REFERENCES files(id),
    position      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (suggestion_id, file_id)
);

-- +goose Down
DROP TABLE suggestion_files;
DROP TABLE suggestion_cosigners;
DROP INDEX suggestions_source;
ALTER TABLE suggestions DROP COLUMN submitted_at;
ALTER TABLE suggestions DROP COLUMN merged_into;
ALTER TABLE suggestions DROP COLUMN review_note;
ALTER TABLE suggestions DROP COLUMN category;
ALTER TABLE suggestions DROP COLUMN source;
