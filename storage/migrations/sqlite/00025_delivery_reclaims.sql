-- +goose Up
-- reclaims counts the times a delivery was taken back from a dispatcher
-- whose lease ran out (it died mid-send): unlike attempts, which counts
-- WeChat's answers, it never moves the retry backoff or the attempt limit.
ALTER TABLE deliveries ADD COLUMN reclaims INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE deliveries DROP COLUMN reclaims;
