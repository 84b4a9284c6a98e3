-- Every step is idempotent (MySQL DDL is not transactional). MariaDB has
-- CREATE INDEX IF NOT EXISTS but MySQL 8 does not, so the index is created
-- only when information_schema lacks it, which works on both.

-- +goose Up
-- The dashboard counts today's deliveries by status; without this index it
-- scans every delivery ever written (docs/benchmarks.md, console pages).
SET @ddl = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX deliveries_created ON deliveries (created_at)', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND index_name = 'deliveries_created');
PREPARE console_indexes FROM @ddl;
EXECUTE console_indexes;
DEALLOCATE PREPARE console_indexes;

-- +goose Down
SET @ddl = (SELECT IF(COUNT(*) > 0, 'DROP INDEX deliveries_created ON deliveries', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND index_name = 'deliveries_created');
PREPARE console_indexes FROM @ddl;
EXECUTE console_indexes;
DEALLOCATE PREPARE console_indexes;
