-- Every step is idempotent (MySQL DDL is not transactional): a column or
-- index is added only when information_schema lacks it.

-- +goose Up
-- Study materials become a managed capability: a draft is written in
-- Markdown, published (at once or at a set time) and archived; it has a
-- category from an editable list, a video link and attachments. Rows from
-- before stay published.
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE materials ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT ''published''', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'status');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE materials ADD COLUMN category VARCHAR(50) NOT NULL DEFAULT ''''', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'category');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE materials ADD COLUMN video_link VARCHAR(1000) NOT NULL DEFAULT ''''', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'video_link');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE materials ADD COLUMN created_by VARCHAR(100) NOT NULL DEFAULT ''''', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'created_by');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE materials ADD COLUMN updated_at DATETIME(6) NULL', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'updated_at');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE materials ADD COLUMN archived_at DATETIME(6) NULL', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'archived_at');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX materials_status ON materials(status, published_at)', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND index_name = 'materials_status');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;

CREATE TABLE IF NOT EXISTS material_attachments (
    material_id BIGINT NOT NULL,
    file_id     BIGINT NOT NULL,
    seq         INT NOT NULL,
    PRIMARY KEY (material_id, file_id),
    KEY material_attachments_file (file_id),
    CONSTRAINT material_attachments_material_fk FOREIGN KEY (material_id) REFERENCES materials(id) ON DELETE CASCADE,
    CONSTRAINT material_attachments_file_fk FOREIGN KEY (file_id) REFERENCES files(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The categories staff choose from, in their order.
CREATE TABLE IF NOT EXISTS material_categories (
    name VARCHAR(50) NOT NULL PRIMARY KEY,
    seq  INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT IGNORE INTO material_categories (name, seq) VALUES ('政治理论', 1), ('法律法规', 2), ('履职知识', 3), ('专题学习', 4);

-- Each deputy's reading of a material: when first and last opened, and
-- the seconds the page was visible (capped per material).
CREATE TABLE IF NOT EXISTS material_reads (
    material_id    BIGINT NOT NULL,
    deputy_id      BIGINT NOT NULL,
    opened_at      DATETIME(6) NOT NULL,
    last_opened_at DATETIME(6) NOT NULL,
    seconds        INT NOT NULL DEFAULT 0,
    PRIMARY KEY (material_id, deputy_id),
    KEY material_reads_deputy (deputy_id),
    CONSTRAINT material_reads_material_fk FOREIGN KEY (material_id) REFERENCES materials(id) ON DELETE CASCADE,
    CONSTRAINT material_reads_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS material_reads;
DROP TABLE IF EXISTS material_categories;
DROP TABLE IF EXISTS material_attachments;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'DROP INDEX materials_status ON materials', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND index_name = 'materials_status');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE materials DROP COLUMN archived_at', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'archived_at');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE materials DROP COLUMN updated_at', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'updated_at');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE materials DROP COLUMN created_by', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'created_by');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE materials DROP COLUMN video_link', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'video_link');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE materials DROP COLUMN category', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'category');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE materials DROP COLUMN status', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'materials' AND column_name = 'status');
PREPARE step FROM @ddl;
EXECUTE step;
DEALLOCATE PREPARE step;
