-- +goose Up
-- Uploaded files (attachments of study materials, later of suggestions and
-- opinions). The content is kept in chunks of at most 1 MiB (well under
-- max_allowed_packet) keyed by its SHA-256, so every instance serves it
-- from the shared database and a file uploaded twice is stored once.
CREATE TABLE IF NOT EXISTS files (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    name         VARCHAR(255) NOT NULL,
    size         BIGINT NOT NULL,
    sha256       CHAR(64) NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    created_by   VARCHAR(100) NOT NULL DEFAULT '',
    created_at   DATETIME(6) NOT NULL,
    KEY files_sha256 (sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS file_chunks (
    sha256 CHAR(64) NOT NULL,
    seq    INT NOT NULL,
    data   MEDIUMBLOB NOT NULL,
    PRIMARY KEY (sha256, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS file_chunks;
DROP TABLE IF EXISTS files;
