-- +goose Up
-- 督办: a B/C reply's promise date (承诺解决时限), kept beside the
-- suggestion rather than on it; reply_at is the reply it was set for, so a
-- later reply (after re-handling) needs a promise of its own.
CREATE TABLE suggestion_promises (
    suggestion_id INTEGER PRIMARY KEY REFERENCES suggestions(id) ON DELETE CASCADE,
    promise_date  DATE NOT NULL,
    reply_at      DATETIME,
    set_by        TEXT NOT NULL DEFAULT '',
    set_at        DATETIME NOT NULL
);

-- Extension requests (延期申请) by a handling unit, decided by staff.
CREATE TABLE suggestion_extensions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
    unit          TEXT NOT NULL DEFAULT '',
    old_deadline  DATE NOT NULL,
    new_deadline  DATE NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'pending',
    requested_by  TEXT NOT NULL DEFAULT '',
    requested_at  DATETIME NOT NULL,
    decided_by    TEXT NOT NULL DEFAULT '',
    decided_at    DATETIME,
    decision_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX suggestion_extensions_suggestion ON suggestion_extensions(suggestion_id, status);
CREATE INDEX suggestion_extensions_status ON suggestion_extensions(status, requested_at);

-- +goose Down
DROP TABLE suggestion_extensions;
DROP TABLE suggestion_promises;
