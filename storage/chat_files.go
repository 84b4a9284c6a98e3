package storage

import (
	"context"
	"fmt"

	"deputybot/model"
)

// The files a follower sends in the chat (a photo, a voice message's
// audio), kept with the message they became or the opinion being written.

// AttachMessageFile adds a file to a message, after those it has.
func (db *DB) AttachMessageFile(ctx context.Context, messageID, fileID int64) error {
	if _, err := db.wq(ctx).ExecContext(ctx, db.insertIgnore()+` INTO message_files (message_id, file_id, position)
		SELECT ?, ?, COALESCE(MAX(position), -1) + 1 FROM message_files WHERE message_id = ?`,
		messageID, fileID, messageID); err != nil {
		return fmt.Errorf("storage: attach file %d to message %d: %w", fileID, messageID, err)
	}
	return nil
}

// MessageFiles lists the files attached to a message, in order.
func (db *DB) MessageFiles(ctx context.Context, messageID int64) ([]model.File, error) {
	return db.attachedFiles(ctx, "message_files", "message_id", messageID)
}

// AttachOpinionFile adds a file to an opinion, after those it has.
func (db *DB) AttachOpinionFile(ctx context.Context, opinionID, fileID int64) error {
	if _, err := db.wq(ctx).ExecContext(ctx, db.insertIgnore()+` INTO opinion_files (opinion_id, file_id, position)
		SELECT ?, ?, COALESCE(MAX(position), -1) + 1 FROM opinion_files WHERE opinion_id = ?`,
		opinionID, fileID, opinionID); err != nil {
		return fmt.Errorf("storage: attach file %d to opinion %d: %w", fileID, opinionID, err)
	}
	return nil
}

// OpinionFiles lists the files attached to an opinion, in order.
func (db *DB) OpinionFiles(ctx context.Context, opinionID int64) ([]model.File, error) {
	return db.attachedFiles(ctx, "opinion_files", "opinion_id", opinionID)
}

// attachedFiles lists the files a link table (table, keyed by column)
// attaches to id, in order. table and column are constants of this file.
func (db *DB) attachedFiles(ctx context.Context, table, column string, id int64) ([]model.File, error) {
	var out []model.File
	if err := db.rq(ctx).SelectContext(ctx, &out, `SELECT f.id, f.name, f.size, f.sha256, f.content_type, f.created_by,
		f.created_at FROM `+table+` l JOIN files f ON f.id = l.file_id WHERE l.`+column+` = ?
		ORDER BY l.position, f.id`, id); err != nil {
		return nil, fmt.Errorf("storage: files of %s %d: %w", column, id, err)
	}
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, nil
}
