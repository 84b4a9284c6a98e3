-- +goose Up
-- reclaims counts the times a delivery was taken back from a dispatcher
-- that died mid-send: unlike attempts, which counts WeChat's answers, it
-- never moves the retry backoff or the attempt limit.
ALTER TABLE deliveries ADD COLUMN reclaims INTEGER NOT NULL DEFAULT 0;

-- claimed_by names the dispatcher holding a sending delivery's lease, so
-- its claims go back to the queue as soon as it stops beating in
-- dispatchers, not when the lease runs out.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';

CREATE TABLE IF NOT EXISTS dispatchers (
    id      TEXT NOT NULL PRIMARY KEY,
    seen_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE IF EXISTS dispatchers;
ALTER TABLE deliveries DROP COLUMN claimed_by;
ALTER TABLE deliveries DROP COLUMN reclaims;
