-- +goose Up
-- The (timestamp, nonce) of each plaintext WeChat callback with the
-- SHA-256 of its body. WeChat's URL signature covers the token, timestamp
-- and nonce but not the body: a signature read from an access log must not
-- carry another message while its timestamp is still accepted (5 minutes
-- either way). A re-delivery repeats the body and is let through.
CREATE TABLE IF NOT EXISTS callback_nonces (
    nonce   VARCHAR(64) NOT NULL,
    ts      BIGINT NOT NULL,
    digest  CHAR(64) NOT NULL,
    seen_at DATETIME(6) NOT NULL,
    PRIMARY KEY (nonce, ts),
    KEY callback_nonces_seen (seen_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS callback_nonces;
