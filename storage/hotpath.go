package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// Reads for the WeChat callback's hot path: what the router needs to know
// about an openid, in one round trip instead of one per table.

// ChatState is what decides whether a message can be answered at once: is
// a conversation under way (live or expired), and whose openid is it.
type ChatState struct {
	InConversation bool
	DeputyName     string // "" when no deputy is bound to the openid
}

// GetChatState returns openid's ChatState with one query.
func (db *DB) GetChatState(ctx context.Context, openid string) (ChatState, error) {
	var row struct {
		Conversations int            `db:"conversations"`
		Name          sql.NullString `db:"name"`
	}
	err := db.r.GetContext(ctx, &row, `SELECT
		(SELECT COUNT(*) FROM conversations WHERE openid = ?) AS conversations,
		(SELECT name FROM deputies WHERE openid = ?) AS name`, openid, openid)
	if err != nil {
		return ChatState{}, fmt.Errorf("storage: chat state: %w", err)
	}
	return ChatState{InConversation: row.Conversations > 0, DeputyName: row.Name.String}, nil
}
