-- Every step is idempotent (MySQL DDL is not transactional): a column or
-- index is added only when information_schema lacks it, which works on
-- MySQL 8 and MariaDB alike.

-- +goose Up
-- Deputy-submitted suggestions (代表建议 drafted by the deputy): a
-- suggestion row is written as the deputy's draft, submitted for staff
-- review, returned with a reason, merged into another, or accepted and
-- assigned (the handling lifecycle then runs as for imported ones).
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE suggestions ADD COLUMN source VARCHAR(16) NOT NULL DEFAULT ''staff''', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND column_name = 'source');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE suggestions ADD COLUMN category VARCHAR(32) NOT NULL DEFAULT ''''', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND column_name = 'category');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE suggestions ADD COLUMN review_note VARCHAR(1000) NOT NULL DEFAULT ''''', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND column_name = 'review_note');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE suggestions ADD COLUMN merged_into BIGINT NULL', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND column_name = 'merged_into');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE suggestions ADD COLUMN submitted_at DATETIME(6) NULL', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND column_name = 'submitted_at');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX suggestions_source ON suggestions(source, status)', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND index_name = 'suggestions_source');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;

-- The co-signers (附议) a deputy asks: pending until the suggestion is
-- submitted, then invited, and confirmed or declined by their reply. The
-- confirmed become seconders when staff accept the suggestion.
CREATE TABLE IF NOT EXISTS suggestion_cosigners (
    suggestion_id BIGINT NOT NULL,
    deputy_id     BIGINT NOT NULL,
    state         VARCHAR(16) NOT NULL DEFAULT 'pending',
    answered_at   DATETIME(6) NULL,
    PRIMARY KEY (suggestion_id, deputy_id),
    KEY suggestion_cosigners_deputy (deputy_id),
    CONSTRAINT suggestion_cosigners_suggestion_fk FOREIGN KEY (suggestion_id) REFERENCES suggestions(id) ON DELETE CASCADE,
    CONSTRAINT suggestion_cosigners_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The files attached to a suggestion (photos sent in the chat, uploads).
CREATE TABLE IF NOT EXISTS suggestion_files (
    suggestion_id BIGINT NOT NULL,
    file_id       BIGINT NOT NULL,
    position      INT NOT NULL DEFAULT 0,
    PRIMARY KEY (suggestion_id, file_id),
    CONSTRAINT suggestion_files_suggestion_fk FOREIGN KEY (suggestion_id) REFERENCES suggestions(id) ON DELETE CASCADE,
    CONSTRAINT suggestion_files_file_fk FOREIGN KEY (file_id) REFERENCES files(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS suggestion_files;
DROP TABLE IF EXISTS suggestion_cosigners;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'DROP INDEX suggestions_source ON suggestions', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND index_name = 'suggestions_source');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE suggestions DROP COLUMN submitted_at', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND column_name = 'submitted_at');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE suggestions DROP COLUMN merged_into', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND column_name = 'merged_into');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE suggestions DROP COLUMN review_note', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND column_name = 'review_note');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE suggestions DROP COLUMN category', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND column_name = 'category');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE suggestions DROP COLUMN source', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND column_name = 'source');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
