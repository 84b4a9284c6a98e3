-- +goose Up
-- A survey's audience (the same filters as a notice's, as JSON; empty:
-- every deputy in office) and the days (up to three, JSON dates) on which
-- those who have not answered are reminded.
ALTER TABLE surveys ADD COLUMN audience TEXT NOT NULL DEFAULT '';
ALTER TABLE surveys ADD COLUMN remind_on TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE surveys DROP COLUMN remind_on;
ALTER TABLE surveys DROP COLUMN audience;
