-- +goose Up
-- Console lists at scale (docs/benchmarks.md, "Console pages and API lists"):
-- the lists of messages and opinions are newest first, and without an index
-- on created_at every page sorted the whole table; so are the public's.
CREATE INDEX IF NOT EXISTS messages_created ON messages(created_at);
CREATE INDEX IF NOT EXISTS opinions_created ON opinions(created_at);
CREATE INDEX IF NOT EXISTS public_opinions_created ON public_opinions(created_at);
-- A campaign's unfiltered delivery list is by id: (campaign_id, status)
-- orders ids only within one status, so the first page sorted every
-- delivery of the campaign. Neither column changes after the insert.
CREATE INDEX IF NOT EXISTS deliveries_campaign_id ON deliveries(campaign_id, id);
-- A sending campaign's pace counts its deliveries sent in the last seconds
-- (the one index here a send updates: sent_at is set when WeChat accepts).
CREATE INDEX IF NOT EXISTS deliveries_campaign_sent ON deliveries(campaign_id, sent_at);
-- The host units offered as filters, read from the index alone.
CREATE INDEX IF NOT EXISTS suggestions_unit_status ON suggestions(host_unit, status);
-- The rates of a session (pages, dashboard) and its counts by status,
-- read from the index alone.
CREATE INDEX IF NOT EXISTS suggestions_rates ON suggestions(session, host_unit, status, replied_at);

-- +goose Down
DROP INDEX IF EXISTS suggestions_rates;
DROP INDEX IF EXISTS suggestions_unit_status;
DROP INDEX IF EXISTS deliveries_campaign_sent;
DROP INDEX IF EXISTS deliveries_campaign_id;
DROP INDEX IF EXISTS public_opinions_created;
DROP INDEX IF EXISTS opinions_created;
DROP INDEX IF EXISTS messages_created;
