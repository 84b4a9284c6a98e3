-- +goose Up
-- Console and API accounts. role is admin, staff, unit or readonly; unit
-- names the handling unit (承办单位) of a unit account. password_hash is
-- a bcrypt hash; must_change_password is set for generated passwords.
CREATE TABLE staff (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    username             TEXT NOT NULL,
    name                 TEXT NOT NULL DEFAULT '',
    role                 TEXT NOT NULL,
    unit                 TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled             INTEGER NOT NULL DEFAULT 0,
    created_at           DATETIME NOT NULL,
    last_login_at        DATETIME
);
CREATE UNIQUE INDEX staff_username ON staff(username);

-- API tokens: only the SHA-256 of the token is kept; it is shown once.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens(token_hash);
CREATE INDEX api_tokens_staff ON api_tokens(staff_id);

-- Console sessions (github.com/alexedwards/scs/v2); token is the SHA-256
-- of the cookie value.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry DATETIME NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expiry);

-- Who changed what. summary never holds phone numbers or message texts.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         DATETIME NOT NULL,
    staff_id   INTEGER,
    staff_name TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    object     TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_staff ON audit_log(staff_id, at);

-- Failed console logins, per account (u:NAME) and per address (a:IP), for
-- the login rate limit.
CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    k  TEXT NOT NULL,
    at DATETIME NOT NULL
);
CREATE INDEX login_attempts_k ON login_attempts(k, at);

-- +goose Down
DROP TABLE login_attempts;
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE staff;
