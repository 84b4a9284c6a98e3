-- Every step is idempotent (MySQL DDL is not transactional; MySQL 8 has no
-- ADD COLUMN IF NOT EXISTS), so the column is added only when
-- information_schema lacks it, which works on MySQL 8 and MariaDB alike.

-- +goose Up
-- reclaims counts the times a delivery was taken back from a dispatcher
-- whose lease ran out (it died mid-send): unlike attempts, which counts
-- WeChat's answers, it never moves the retry backoff or the attempt limit.
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE deliveries ADD COLUMN reclaims INT NOT NULL DEFAULT 0 AFTER attempts', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND column_name = 'reclaims');
PREPARE delivery_reclaims FROM @ddl;
EXECUTE delivery_reclaims;
DEALLOCATE PREPARE delivery_reclaims;

-- +goose Down
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE deliveries DROP COLUMN reclaims', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND column_name = 'reclaims');
PREPARE delivery_reclaims FROM @ddl;
EXECUTE delivery_reclaims;
DEALLOCATE PREPARE delivery_reclaims;
