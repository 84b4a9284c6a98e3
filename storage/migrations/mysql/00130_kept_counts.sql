-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- Counts kept rather than recounted (docs/benchmarks.md, "At issue 18's
-- scale"): the suggestions per (session, host unit, status, replied or not)
-- with the tallies of their ratings, which the dashboard and the rates
-- pages read instead of aggregating a session's suggestions and ratings on
-- every request. storage keeps them in the transaction of every write to a
-- suggestion or a rating (suggestion_counts.go); `deputybot migrate
-- recount` rebuilds them from the tables. No trigger: TiDB has none, and
-- MySQL with binary logging asks for SUPER to create one.
CREATE TABLE IF NOT EXISTS suggestion_counts (
    session           VARCHAR(64) NOT NULL,
    host_unit         VARCHAR(200) NOT NULL,
    status            VARCHAR(16) NOT NULL,
    replied           TINYINT NOT NULL,
    n                 BIGINT NOT NULL DEFAULT 0,
    rated_suggestions BIGINT NOT NULL DEFAULT 0,
    rated             BIGINT NOT NULL DEFAULT 0,
    satisfied         BIGINT NOT NULL DEFAULT 0,
    basic             BIGINT NOT NULL DEFAULT 0,
    dissatisfied      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (session, host_unit, status, replied)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DELETE FROM suggestion_counts;
INSERT INTO suggestion_counts (session, host_unit, status, replied, n, rated_suggestions, rated, satisfied, basic, dissatisfied)
SELECT session, host_unit, status, replied, COUNT(*), SUM(CASE WHEN rn > 0 THEN 1 ELSE 0 END), SUM(rn), SUM(rs), SUM(rb), SUM(rd)
FROM (SELECT s.session, s.host_unit, s.status, CASE WHEN s.replied_at IS NULL THEN 0 ELSE 1 END AS replied,
        COALESCE(r.n, 0) AS rn, COALESCE(r.satisfied, 0) AS rs, COALESCE(r.basic, 0) AS rb, COALESCE(r.dissatisfied, 0) AS rd
    FROM suggestions s LEFT JOIN (
        SELECT suggestion_id, COUNT(*) AS n,
        SUM(CASE WHEN result IN ('satisfied', 'basic') THEN 1 ELSE 0 END) AS satisfied,
        SUM(CASE WHEN result = 'basic' THEN 1 ELSE 0 END) AS basic,
        SUM(CASE WHEN result = 'dissatisfied' THEN 1 ELSE 0 END) AS dissatisfied
        FROM suggestion_ratings GROUP BY suggestion_id
    ) r ON r.suggestion_id = s.id) x
GROUP BY session, host_unit, status, replied;

-- +goose Down
DROP TABLE IF EXISTS suggestion_counts;
