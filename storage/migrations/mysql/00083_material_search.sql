-- +goose Up
-- The search index of study materials: for every material, each pair of
-- consecutive characters (a bigram, lower-cased) of its title, summary
-- and body, with where it occurs; the last character of each field is
-- also a one-character entry, so a one-character search is a range of
-- the index. A search of two characters is one key; a longer one is the
-- bigrams it is made of at the right distances (an exact substring).
-- gram is bytes (VARBINARY: no collation folds or pads it); pos holds the
-- positions as varint deltas: a title's from 0, a summary's from 1<<20, a
-- body's from 2<<20; field is the first field the entry occurs in (0
-- title, 1 summary, 2 body), for ranking. Each row carries a copy of what
-- a search filters and orders by (the material's status, category, and
-- publication time in Unix microseconds), so that a search reads the
-- index alone: material_grams_rank gives a word's materials in the order
-- deputies see them. Written with the material in the same transaction;
-- storage.Migrate indexes the materials from before.
CREATE TABLE IF NOT EXISTS material_grams (
    gram         VARBINARY(8) NOT NULL,
    material_id  BIGINT NOT NULL,
    field        TINYINT NOT NULL,
    pos          MEDIUMBLOB NOT NULL,
    status       VARCHAR(16) NOT NULL,
    category     VARCHAR(50) NOT NULL,
    published_us BIGINT NOT NULL,
    PRIMARY KEY (gram, material_id),
    KEY material_grams_material (material_id),
    KEY material_grams_rank (gram, field, published_us DESC, material_id DESC, status, category)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS material_grams;
