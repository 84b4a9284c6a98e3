-- +goose Up
-- A number every write of a material's search index raises, in the same
-- transaction: an instance keeps the results of a search (the staff list
-- counts every match) while the number stays the same, so paging or
-- repeating a search does not check the materials again, and a change
-- made on any instance is seen by all.
CREATE TABLE material_search_generation (
    id INTEGER PRIMARY KEY,
    n  INTEGER NOT NULL
);
INSERT INTO material_search_generation (id, n) VALUES (1, 0);

-- +goose Down
DROP TABLE material_search_generation;
