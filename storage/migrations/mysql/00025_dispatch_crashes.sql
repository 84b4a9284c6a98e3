-- Every step is idempotent (MySQL DDL is not transactional; MySQL 8 has no
-- ADD COLUMN IF NOT EXISTS), so a column is added only when
-- information_schema lacks it, which works on MySQL 8 and MariaDB alike.

-- +goose Up
-- reclaims counts the times a delivery was taken back from a dispatcher
-- that died mid-send: unlike attempts, which counts WeChat's answers, it
-- never moves the retry backoff or the attempt limit.
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE deliveries ADD COLUMN reclaims INT NOT NULL DEFAULT 0 AFTER attempts', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND column_name = 'reclaims');
PREPARE dispatch_crashes FROM @ddl;
EXECUTE dispatch_crashes;
DEALLOCATE PREPARE dispatch_crashes;

-- claimed_by names the dispatcher holding a sending delivery's lease, so
-- its claims go back to the queue as soon as it stops beating in
-- dispatchers, not when the lease runs out.
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE deliveries ADD COLUMN claimed_by VARCHAR(32) NOT NULL DEFAULT '''' AFTER reclaims', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND column_name = 'claimed_by');
PREPARE dispatch_crashes FROM @ddl;
EXECUTE dispatch_crashes;
DEALLOCATE PREPARE dispatch_crashes;

CREATE TABLE IF NOT EXISTS dispatchers (
    id      VARCHAR(32) NOT NULL PRIMARY KEY,
    seen_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS dispatchers;

SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE deliveries DROP COLUMN claimed_by', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND column_name = 'claimed_by');
PREPARE dispatch_crashes FROM @ddl;
EXECUTE dispatch_crashes;
DEALLOCATE PREPARE dispatch_crashes;

SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE deliveries DROP COLUMN reclaims', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND column_name = 'reclaims');
PREPARE dispatch_crashes FROM @ddl;
EXECUTE dispatch_crashes;
DEALLOCATE PREPARE dispatch_crashes;
