-- +goose Up
-- The files a follower sends in the chat: the photo or the voice
-- message's audio kept with the message (留言) it became, or with the
-- opinion (意见) the deputy was writing.
CREATE TABLE IF NOT EXISTS message_files (
    message_id BIGINT NOT NULL,
    file_id    BIGINT NOT NULL,
    position   INT NOT NULL DEFAULT 0,
    PRIMARY KEY (message_id, file_id),
    CONSTRAINT message_files_message_fk FOREIGN KEY (message_id) REFERENCES messages(id) ON DELETE CASCADE,
    CONSTRAINT message_files_file_fk FOREIGN KEY (file_id) REFERENCES files(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS opinion_files (
    opinion_id BIGINT NOT NULL,
    file_id    BIGINT NOT NULL,
    position   INT NOT NULL DEFAULT 0,
    PRIMARY KEY (opinion_id, file_id),
    CONSTRAINT opinion_files_opinion_fk FOREIGN KEY (opinion_id) REFERENCES opinions(id) ON DELETE CASCADE,
    CONSTRAINT opinion_files_file_fk FOREIGN KEY (file_id) REFERENCES files(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS opinion_files;
DROP TABLE IF EXISTS message_files;
