-- +goose Up
-- The dashboard counts today's deliveries by status; without this index it
-- scans every delivery ever written (docs/benchmarks.md, console pages).
CREATE INDEX IF NOT EXISTS deliveries_created ON deliveries(created_at);

-- +goose Down
DROP INDEX IF EXISTS deliveries_created;
