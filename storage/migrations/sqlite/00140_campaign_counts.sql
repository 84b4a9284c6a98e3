-- +goose Up
-- Counts kept rather than recounted (docs/benchmarks.md, "At issue 18's
-- scale"): a campaign's deliveries per status, which the campaign list,
-- its page and progress and the dispatcher's failure check read instead of
-- grouping the campaign's deliveries on every request. storage keeps them
-- in the transaction of every statement that inserts a campaign's
-- deliveries or changes their status (campaign_counts.go); `deputybot
-- migrate recount` rebuilds them from the deliveries.
CREATE TABLE IF NOT EXISTS campaign_counts (
    campaign_id INTEGER NOT NULL,
    status      TEXT NOT NULL,
    n           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, status)
) WITHOUT ROWID;
DELETE FROM campaign_counts;
INSERT INTO campaign_counts (campaign_id, status, n)
SELECT campaign_id, status, COUNT(*) FROM deliveries WHERE campaign_id IS NOT NULL GROUP BY campaign_id, status;

-- +goose Down
DROP TABLE IF EXISTS campaign_counts;
