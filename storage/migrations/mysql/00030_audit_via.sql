-- Every step is idempotent (MySQL DDL is not transactional): the column is
-- added only when information_schema lacks it, which works on MySQL 8 and
-- MariaDB alike.

-- +goose Up
-- The surface an action came through (console, api, cli, wechat, h5, job),
-- so the audit log says how as well as who.
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE audit_log ADD COLUMN via VARCHAR(16) NOT NULL DEFAULT ''''', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'audit_log' AND column_name = 'via');
PREPARE audit_via FROM @ddl;
EXECUTE audit_via;
DEALLOCATE PREPARE audit_via;

-- +goose Down
SET @ddl = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE audit_log DROP COLUMN via', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'audit_log' AND column_name = 'via');
PREPARE audit_via FROM @ddl;
EXECUTE audit_via;
DEALLOCATE PREPARE audit_via;
