-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- Counts kept rather than recounted (docs/benchmarks.md, "At issue 18's
-- scale"): a campaign's deliveries per status, which the campaign list,
-- its page and progress and the dispatcher's failure check read instead of
-- grouping the campaign's deliveries on every request. storage keeps them
-- in the transaction of every statement that inserts a campaign's
-- deliveries or changes their status (campaign_counts.go); `deputybot
-- migrate recount` rebuilds them from the deliveries. No trigger: TiDB has
-- none, and MySQL with binary logging asks for SUPER to create one.
CREATE TABLE IF NOT EXISTS campaign_counts (
    campaign_id BIGINT NOT NULL,
    status      VARCHAR(16) NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DELETE FROM campaign_counts;
INSERT INTO campaign_counts (campaign_id, status, n)
SELECT campaign_id, status, COUNT(*) FROM deliveries WHERE campaign_id IS NOT NULL GROUP BY campaign_id, status;

-- +goose Down
DROP TABLE IF EXISTS campaign_counts;
