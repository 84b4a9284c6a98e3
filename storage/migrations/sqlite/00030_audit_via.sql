-- +goose Up
-- The surface an action came through (console, api, cli, wechat, h5, job),
-- so the audit log says how as well as who.
ALTER TABLE audit_log ADD COLUMN via TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN via;
