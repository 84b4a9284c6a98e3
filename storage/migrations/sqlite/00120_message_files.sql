-- +goose Up
-- The files a follower sends in the chat: the photo or the voice
-- message's audio kept with the message (留言) it became, or with the
-- opinion (意见) the deputy was writing.
CREATE TABLE message_files (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    file_id    INTEGER NOT NULL REFERENCES files(id),
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (message_id, file_id)
);
CREATE TABLE opinion_files (
    opinion_id INTEGER NOT NULL REFERENCES opinions(id) ON DELETE CASCADE,
    file_id    INTEGER NOT NULL REFERENCES files(id),
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (opinion_id, file_id)
);
-- +goose Down
DROP TABLE opinion_files;
DROP TABLE message_files;
