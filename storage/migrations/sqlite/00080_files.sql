-- +goose Up
-- Uploaded files (attachments of study materials, later of suggestions and
-- opinions). The content is kept in chunks keyed by its SHA-256, so every
-- instance serves it from the shared database and a file uploaded twice
-- is stored once.
CREATE TABLE files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL
);
CREATE INDEX files_sha256 ON files(sha256);

CREATE TABLE file_chunks (
    sha256 TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (sha256, seq)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE file_chunks;
DROP TABLE files;
