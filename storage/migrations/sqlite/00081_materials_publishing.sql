-- +goose Up
-- Study materials become a managed capability: a draft is written in
-- Markdown, published (at once or at a set time) and archived; it has a
-- category from an editable list, a video link and attachments. Rows from
-- before stay published.
ALTER TABLE materials ADD COLUMN status TEXT NOT NULL DEFAULT 'published';
ALTER TABLE materials ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE materials ADD COLUMN video_link TEXT NOT NULL DEFAULT '';
ALTER TABLE materials ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE materials ADD COLUMN updated_at DATETIME;
ALTER TABLE materials ADD COLUMN archived_at DATETIME;
CREATE INDEX materials_status ON materials(status, published_at);

CREATE TABLE material_attachments (
    material_id INTEGER NOT NULL REFERENCES materials(id) ON DELETE CASCADE,
    file_id     INTEGER NOT NULL REFERENCES files(id),
    seq         INTEGER NOT NULL,
    PRIMARY KEY (material_id, file_id)
);
CREATE INDEX material_attachments_file ON material_attachments(file_id);

-- The categories staff choose from, in their order.
CREATE TABLE material_categories (
    name TEXT NOT NULL PRIMARY KEY,
    seq  INTEGER NOT NULL
);
INSERT INTO material_categories (name, seq) VALUES ('政治理论', 1), ('法律法规', 2), ('履职知识', 3), ('专题学习', 4);

-- Each deputy's reading of a material: when first and last opened, and
-- the seconds the page was visible (capped per material).
CREATE TABLE material_reads (
    material_id    INTEGER NOT NULL REFERENCES materials(id) ON DELETE CASCADE,
    deputy_id      INTEGER NOT NULL REFERENCES deputies(id) ON DELETE CASCADE,
    opened_at      DATETIME NOT NULL,
    last_opened_at DATETIME NOT NULL,
    seconds        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (material_id, deputy_id)
);
CREATE INDEX material_reads_deputy ON material_reads(deputy_id);

-- +goose Down
DROP TABLE material_reads;
DROP TABLE material_categories;
DROP TABLE material_attachments;
DROP INDEX materials_status;
ALTER TABLE materials DROP COLUMN archived_at;
ALTER TABLE materials DROP COLUMN updated_at;
ALTER TABLE materials DROP COLUMN created_by;
ALTER TABLE materials DROP COLUMN video_link;
ALTER TABLE materials DROP COLUMN category;
ALTER TABLE materials DROP COLUMN status;
