package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
)

// GetConversation returns openid's conversation, or ErrNotFound. An
// expired one is returned too: the caller tells the user it timed out.
func (db *DB) GetConversation(ctx context.Context, openid string) (model.Conversation, error) {
	m := memoOf(ctx)
	key := conversationKey{openid}
	var read conversationRead
	if v, ok := recallAs[conversationRead](m, key); ok {
		read = v
	} else {
		err := db.latest(ctx).GetContext(ctx, &read.c, `SELECT openid, flow, step, data, misses, version, updated_at, expires_at
			FROM conversations WHERE openid = ?`, openid)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return model.Conversation{}, fmt.Errorf("storage: conversation: %w", err)
		}
		read.found = err == nil
		if m != nil {
			m.keep(ctx, key, read)
		}
	}
	if !read.found {
		return model.Conversation{}, fmt.Errorf("storage: conversation: %w", model.ErrNotFound)
	}
	return read.c, nil
}

// SaveConversation writes c. A c.Version of 0 creates it; otherwise the
// row is updated only if its version is still c.Version (else ErrStale).
// On success c.Version is the new version.
func (db *DB) SaveConversation(ctx context.Context, c *model.Conversation) error {
	now := db.now().UTC()
	if c.Data == "" {
		c.Data = "{}"
	}
	if c.Version == 0 {
		_, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO conversations (openid, flow, step, data, misses, version, updated_at, expires_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?)`, c.OpenID, c.Flow, c.Step, c.Data, c.Misses, now, c.ExpiresAt.UTC())
		if isDuplicate(err) {
			return fmt.Errorf("storage: save conversation: %w", model.ErrStale)
		}
		if err != nil {
			return fmt.Errorf("storage: save conversation: %w", err)
		}
		c.Version, c.UpdatedAt = 1, now
		return nil
	}
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE conversations SET flow = ?, step = ?, data = ?, misses = ?, version = version + 1,
		updated_at = ?, expires_at = ? WHERE openid = ? AND version = ?`,
		c.Flow, c.Step, c.Data, c.Misses, now, c.ExpiresAt.UTC(), c.OpenID, c.Version)
	if err != nil {
		return fmt.Errorf("storage: save conversation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: save conversation: %w", model.ErrStale)
	}
	c.Version++
	c.UpdatedAt = now
	return nil
}

// DeleteConversation ends openid's conversation.
func (db *DB) DeleteConversation(ctx context.Context, openid string) error {
	if _, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM conversations WHERE openid = ?`, openid); err != nil {
		return fmt.Errorf("storage: delete conversation: %w", err)
	}
	return nil
}

// latest is where a read that must see the last commit runs: as wq, the
// caller's transaction, else the writer (on SQLite a reader may lag); but
// it writes nothing, so the message's read memo keeps what it holds (the
// deputy read before the conversation is not read again after it).
func (db *DB) latest(ctx context.Context) querier {
	tx := txOf(ctx)
	switch {
	case db.wc != nil:
		return cached{c: db.wc, tx: tx}
	case tx != nil:
		return tx
	}
	return db.w
}
