-- +goose Up
-- The (timestamp, nonce) of each plaintext WeChat callback with the
-- SHA-256 of its body. WeChat's URL signature covers the token, timestamp
-- and nonce but not the body: a signature read from an access log must not
-- carry another message while its timestamp is still accepted (5 minutes
-- either way). A re-delivery repeats the body and is let through.
CREATE TABLE IF NOT EXISTS callback_nonces (
    nonce   TEXT NOT NULL,
    ts      INTEGER NOT NULL,
    digest  TEXT NOT NULL,
    seen_at DATETIME NOT NULL,
    PRIMARY KEY (nonce, ts)
);
CREATE INDEX IF NOT EXISTS callback_nonces_seen ON callback_nonces(seen_at);

-- +goose Down
DROP TABLE IF EXISTS callback_nonces;
