package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Reads for the WeChat callback's hot path: what the router needs to know
// about an openid, in one round trip instead of one per table. A deputy
// whose term has ended is not named (the quick answers are a bound
// deputy's), so their messages take the full path, which tells them.

const chatStateQuery = `SELECT
	(SELECT COUNT(*) FROM conversations WHERE openid = ?) AS conversations,
	(SELECT name FROM deputies WHERE openid = ? AND status <> 'terminated') AS name,
	(SELECT COUNT(*) FROM member_bindings b JOIN deputies d ON d.id = b.deputy_id WHERE d.openid = ?) AS members,
	(SELECT COUNT(*) FROM liaison_leaders l JOIN deputies d ON d.id = l.deputy_id WHERE d.openid = ?) AS leader`

// GetChatState returns openid's ChatState with one query.
func (db *DB) GetChatState(ctx context.Context, openid string) (model.ChatState, error) {
	var row struct {
		Conversations int            `db:"conversations"`
		Name          sql.NullString `db:"name"`
		Member        int            `db:"members"`
		Leader        int            `db:"leader"`
	}
	var err error
	if stmt := db.chatStateStmt(); stmt != nil {
		err = stmt.GetContext(ctx, &row, openid, openid, openid, openid)
	} else {
		err = db.rq(ctx).GetContext(ctx, &row, chatStateQuery, openid, openid, openid, openid)
	}
	if err != nil {
		return model.ChatState{}, fmt.Errorf("storage: chat state: %w", err)
	}
	return model.ChatState{InConversation: row.Conversations > 0, DeputyName: row.Name.String,
		Member: row.Member > 0, Leader: row.Leader > 0}, nil
}

// GetChatStates returns the ChatState of each openid, in order, with one
// query for all: the callbacks that arrive while one read is under way
// share the next.
func (db *DB) GetChatStates(ctx context.Context, openids []string) ([]model.ChatState, error) {
	if len(openids) == 1 {
		st, err := db.GetChatState(ctx, openids[0])
		if err != nil {
			return nil, err
		}
		return []model.ChatState{st}, nil
	}
	q, args, err := sqlx.In(`SELECT 1 AS conversation, openid, '' AS name, 0 AS members, 0 AS leader
		FROM conversations WHERE openid IN (?)
		UNION ALL SELECT 0, d.openid, d.name,
			(SELECT COUNT(*) FROM member_bindings b WHERE b.deputy_id = d.id),
			(SELECT COUNT(*) FROM liaison_leaders l WHERE l.deputy_id = d.id)
		FROM deputies d WHERE d.openid IN (?) AND d.status <> 'terminated'`, openids, openids)
	if err != nil {
		return nil, fmt.Errorf("storage: chat states: %w", err)
	}
	var rows []struct {
		Conversation bool   `db:"conversation"`
		OpenID       string `db:"openid"`
		Name         string `db:"name"`
		Member       int    `db:"members"`
		Leader       int    `db:"leader"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, db.r.Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("storage: chat states: %w", err)
	}
	byOpenID := make(map[string]model.ChatState, len(openids))
	for _, r := range rows {
		st := byOpenID[r.OpenID]
		if r.Conversation {
			st.InConversation = true
		} else {
			st.DeputyName, st.Member, st.Leader = r.Name, r.Member > 0, r.Leader > 0
		}
		byOpenID[r.OpenID] = st
	}
	out := make([]model.ChatState, len(openids))
	for i, o := range openids {
		out[i] = byOpenID[o]
	}
	return out, nil
}

// chatStateStmt returns GetChatState's query prepared, on SQLite, where
// compiling it each time was half its cost; nil elsewhere (MySQL's
// interpolated query is one round trip already) or when it cannot be
// prepared (the plain query then says why).
func (db *DB) chatStateStmt() *sqlx.Stmt {
	if db.dialect != SQLite {
		return nil
	}
	db.chatOnce.Do(func() {
		if stmt, err := db.r.Preparex(chatStateQuery); err == nil {
			db.chatStmt = stmt
		}
	})
	return db.chatStmt
}
