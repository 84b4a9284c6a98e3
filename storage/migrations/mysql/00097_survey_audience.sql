-- Every step is idempotent (MySQL DDL is not transactional): a column is
-- added only when information_schema lacks it.

-- +goose Up
-- A survey's audience (the same filters as a notice's, as JSON; empty:
-- every deputy in office) and the days (up to three, JSON dates) on which
-- those who have not answered are reminded.
SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE surveys ADD COLUMN audience VARCHAR(4000) NOT NULL DEFAULT ''''', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'surveys' AND column_name = 'audience');
PREPARE survey_audience FROM @ddl;
EXECUTE survey_audience;
DEALLOCATE PREPARE survey_audience;

SET @ddl = (SELECT IF(COUNT(*) = 0, 'ALTER TABLE surveys ADD COLUMN remind_on VARCHAR(200) NOT NULL DEFAULT ''''', 'DO 0')
    FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'surveys' AND column_name = 'remind_on');
PREPARE survey_audience FROM @ddl;
EXECUTE survey_audience;
DEALLOCATE PREPARE survey_audience;

-- +goose Down
ALTER TABLE surveys DROP COLUMN remind_on;
ALTER TABLE surveys DROP COLUMN audience;
