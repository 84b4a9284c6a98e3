-- Every step is idempotent (MySQL DDL is not transactional); each index is
-- created only when information_schema lacks it (MySQL 8 has no CREATE
-- INDEX IF NOT EXISTS).

-- +goose Up
-- Console lists at scale (docs/benchmarks.md, "Console pages and API lists"):
-- messages, opinions and public opinions newest first; a campaign's deliveries by id and its
-- pace (deliveries sent in the last seconds); the host units offered as
-- filters; a session's rates. InnoDB appends the primary key to every secondary index, so
-- (campaign_id, id) is what (campaign_id) would be; it is spelt out for
-- SQLite's sake and reads the same.
SET @ddl = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX messages_created ON messages (created_at)', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'messages' AND index_name = 'messages_created');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX opinions_created ON opinions (created_at)', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'opinions' AND index_name = 'opinions_created');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX deliveries_campaign_id ON deliveries (campaign_id, id)', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND index_name = 'deliveries_campaign_id');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX deliveries_campaign_sent ON deliveries (campaign_id, sent_at)', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND index_name = 'deliveries_campaign_sent');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX suggestions_unit_status ON suggestions (host_unit, status)', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND index_name = 'suggestions_unit_status');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX suggestions_rates ON suggestions (session, host_unit, status, replied_at)', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND index_name = 'suggestions_rates');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) = 0, 'CREATE INDEX public_opinions_created ON public_opinions (created_at)', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'public_opinions' AND index_name = 'public_opinions_created');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;

-- +goose Down
SET @ddl = (SELECT IF(COUNT(*) > 0, 'DROP INDEX public_opinions_created ON public_opinions', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'public_opinions' AND index_name = 'public_opinions_created');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'DROP INDEX suggestions_rates ON suggestions', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND index_name = 'suggestions_rates');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'DROP INDEX suggestions_unit_status ON suggestions', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'suggestions' AND index_name = 'suggestions_unit_status');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'DROP INDEX deliveries_campaign_sent ON deliveries', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND index_name = 'deliveries_campaign_sent');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'DROP INDEX deliveries_campaign_id ON deliveries', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'deliveries' AND index_name = 'deliveries_campaign_id');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'DROP INDEX opinions_created ON opinions', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'opinions' AND index_name = 'opinions_created');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
SET @ddl = (SELECT IF(COUNT(*) > 0, 'DROP INDEX messages_created ON messages', 'DO 0')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'messages' AND index_name = 'messages_created');
PREPARE console_scale FROM @ddl;
EXECUTE console_scale;
DEALLOCATE PREPARE console_scale;
