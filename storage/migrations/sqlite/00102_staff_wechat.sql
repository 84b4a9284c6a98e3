-- +goose Up
-- A staff account's own WeChat: a handling unit's staff (or committee
-- staff) bind it with a 6-digit code the account issues itself in the
-- console or the API, and are then told of their suggestions there.
CREATE TABLE staff_wechat (
    staff_id          INTEGER PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE,
    openid            TEXT UNIQUE,
    bound_at          DATETIME,
    bind_code         TEXT,
    bind_code_expires DATETIME
);
CREATE INDEX staff_wechat_code ON staff_wechat(bind_code);

-- +goose Down
DROP TABLE staff_wechat;
