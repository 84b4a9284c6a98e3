package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// messageRow is a messages row joined with its sender and assignee.
type messageRow struct {
	ID               int64          `db:"id"`
	Receipt          string         `db:"receipt"`
	OpenID           string         `db:"openid"`
	DeputyID         sql.NullInt64  `db:"deputy_id"`
	DeputyName       sql.NullString `db:"deputy_name"`
	DeputyDelegation sql.NullString `db:"deputy_delegation"`
	Kind             string         `db:"kind"`
	Body             string         `db:"body"`
	Status           string         `db:"status"`
	AssigneeID       sql.NullInt64  `db:"assignee_id"`
	AssigneeName     sql.NullString `db:"assignee_name"`
	AssigneeUser     sql.NullString `db:"assignee_username"`
	AssignedBy       string         `db:"assigned_by"`
	AssignedAt       sql.NullTime   `db:"assigned_at"`
	CloseNote        string         `db:"close_note"`
	Replies          int            `db:"replies"`
	CreatedAt        time.Time      `db:"created_at"`
	RepliedAt        sql.NullTime   `db:"replied_at"`
	ClosedAt         sql.NullTime   `db:"closed_at"`
}

func utcPtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func (r messageRow) message() model.Message {
	m := model.Message{ID: r.ID, Receipt: r.Receipt, OpenID: r.OpenID, DeputyID: r.DeputyID.Int64,
		DeputyName: r.DeputyName.String, DeputyDelegation: r.DeputyDelegation.String, Kind: r.Kind, Body: r.Body,
		Status: r.Status, AssigneeID: r.AssigneeID.Int64, AssignedBy: r.AssignedBy, AssignedAt: utcPtr(r.AssignedAt),
		CloseNote: r.CloseNote, Replies: r.Replies, CreatedAt: r.CreatedAt.UTC(), RepliedAt: utcPtr(r.RepliedAt),
		ClosedAt: utcPtr(r.ClosedAt)}
	m.AssigneeName = r.AssigneeName.String
	if m.AssigneeName == "" {
		m.AssigneeName = r.AssigneeUser.String
	}
	return m
}

const messageSelect = `SELECT m.id, m.receipt, m.openid, m.deputy_id, d.name AS deputy_name, g.name AS deputy_delegation,
	m.kind, m.body, m.status, m.assignee_id, s.name AS assignee_name, s.username AS assignee_username, m.assigned_by,
	m.assigned_at, m.close_note, (SELECT COUNT(*) FROM message_replies r WHERE r.message_id = m.id) AS replies,
	m.created_at, m.replied_at, m.closed_at
	FROM messages m LEFT JOIN deputies d ON d.id = m.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id
	LEFT JOIN staff s ON s.id = m.assignee_id`

// CreateMessage stores m as received (unread) and sets its ID, Receipt,
// Status and CreatedAt. The receipt's sequence comes from a per-year
// counter row bumped in the same transaction (the year in China time).
func (db *DB) CreateMessage(ctx context.Context, m *model.Message) error {
	now := db.now().UTC()
	year := now.In(chinaTime).Year()
	bump := `INSERT INTO message_counters (receipt_year, last_seq) VALUES (?, 1)
		ON CONFLICT (receipt_year) DO UPDATE SET last_seq = last_seq + 1`
	if db.dialect == MySQL {
		bump = `INSERT INTO message_counters (receipt_year, last_seq) VALUES (?, 1)
		ON DUPLICATE KEY UPDATE last_seq = last_seq + 1`
	}
	if m.Kind == "" {
		m.Kind = model.MessageText
	}
	var deputy any
	if m.DeputyID != 0 {
		deputy = m.DeputyID
	}
	err := db.inTxRetrying(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, bump, year); err != nil {
			return err
		}
		var seq int
		if err := tx.GetContext(ctx, &seq, `SELECT last_seq FROM message_counters WHERE receipt_year = ?`, year); err != nil {
			return err
		}
		receipt := fmt.Sprintf("LY%d-%05d", year, seq)
		res, err := tx.ExecContext(ctx, `INSERT INTO messages (receipt, openid, deputy_id, kind, body, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, receipt, m.OpenID, deputy, m.Kind, m.Body, model.MessageUnread, now)
		if err != nil {
			return err
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		m.Receipt, m.Status, m.CreatedAt = receipt, model.MessageUnread, now
		return nil
	})
	if isForeignKeyViolation(err) {
		return fmt.Errorf("storage: create message: deputy %d: %w", m.DeputyID, model.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: create message: %w", err)
	}
	return nil
}

// GetMessage returns a message, or ErrNotFound.
func (db *DB) GetMessage(ctx context.Context, id int64) (model.Message, error) {
	var r messageRow
	err := db.rq(ctx).GetContext(ctx, &r, messageSelect+` WHERE m.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Message{}, fmt.Errorf("storage: message %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return model.Message{}, fmt.Errorf("storage: message %d: %w", id, err)
	}
	return r.message(), nil
}

// messageWhere is the WHERE clause of f.
func messageWhere(f model.MessageFilter) (string, []any) {
	var conds []string
	var args []any
	if f.Status != "" {
		conds, args = append(conds, "m.status = ?"), append(args, f.Status)
	}
	switch f.Sender {
	case model.SenderDeputy:
		conds = append(conds, "m.deputy_id IS NOT NULL")
	case model.SenderPublic:
		conds = append(conds, "m.deputy_id IS NULL")
	}
	if f.AssigneeID != 0 {
		conds, args = append(conds, "m.assignee_id = ?"), append(args, f.AssigneeID)
	}
	if f.DeputyID != 0 {
		conds, args = append(conds, "m.deputy_id = ?"), append(args, f.DeputyID)
	}
	if f.OpenID != "" {
		conds, args = append(conds, "m.openid = ?"), append(args, f.OpenID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// ListMessages returns one page of messages matching f, newest first, and
// how many match in all.
func (db *DB) ListMessages(ctx context.Context, f model.MessageFilter) ([]model.Message, int, error) {
	where, args := messageWhere(f)
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM messages m`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count messages: %w", err)
	}
	q := messageSelect + where + ` ORDER BY m.created_at DESC, m.id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	}
	var rows []messageRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: list messages: %w", err)
	}
	out := make([]model.Message, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out, total, nil
}

// LockFollowerMessages holds a row of openid's own (its key in limit_keys,
// created if missing) until the transaction ends, so that counting what
// the follower left today and storing one more is done one message at a
// time: two messages sent at the same instant cannot both pass the daily
// limit. On SQLite the write takes the one writer already. Call it first
// in the transaction, before the count.
func (db *DB) LockFollowerMessages(ctx context.Context, openid string) error {
	if !InTransaction(ctx) {
		return fmt.Errorf("storage: lock messages of a follower: outside a transaction")
	}
	if _, err := db.wq(ctx).ExecContext(ctx, db.limitKeyUpsert(), "m:"+openid, db.now().UTC()); err != nil {
		return fmt.Errorf("storage: lock messages of a follower: %w", err)
	}
	return nil
}

// CountMessagesSince counts the messages openid left at or after since.
func (db *DB) CountMessagesSince(ctx context.Context, openid string, since time.Time) (int, error) {
	var n int
	err := db.rq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM messages WHERE openid = ? AND created_at >= ?`, openid, since.UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: count messages of a follower: %w", err)
	}
	return n, nil
}

// CountMessagesByStatus counts every message by status.
func (db *DB) CountMessagesByStatus(ctx context.Context) (map[string]int, error) {
	return db.countBy(ctx, "count messages", `SELECT status, COUNT(*) FROM messages GROUP BY status`)
}

// AssignMessage gives a message to a staff account; an unread message
// becomes assigned.
func (db *DB) AssignMessage(ctx context.Context, id, staffID int64, by string) error {
	now := db.now().UTC()
	_, err := db.wq(ctx).ExecContext(ctx, `UPDATE messages SET assignee_id = ?, assigned_by = ?, assigned_at = ?,
		status = CASE WHEN status = ? THEN ? ELSE status END WHERE id = ?`,
		staffID, by, now, model.MessageUnread, model.MessageAssigned, id)
	if err != nil {
		return fmt.Errorf("storage: assign message %d: %w", id, err)
	}
	return nil
}

// MessageReplySource is the delivery source of the push taking reply id
// to the message's sender.
func MessageReplySource(replyID int64) string { return fmt.Sprintf("msgreply-%d", replyID) }

// AddMessageReply stores a reply (setting its ID, Source and CreatedAt)
// and marks its message replied.
func (db *DB) AddMessageReply(ctx context.Context, r *model.MessageReply) error {
	now := db.now().UTC()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO message_replies (message_id, staff_id, staff_name, body, source, created_at)
			VALUES (?, ?, ?, ?, '', ?)`, r.MessageID, r.StaffID, r.StaffName, r.Body, now)
		if err != nil {
			return err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		r.Source = MessageReplySource(r.ID)
		if _, err := tx.ExecContext(ctx, `UPDATE message_replies SET source = ? WHERE id = ?`, r.Source, r.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE messages SET status = ?, replied_at = ? WHERE id = ?`, model.MessageReplied, now, r.MessageID)
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: reply to message %d: %w", r.MessageID, err)
	}
	r.CreatedAt = now
	return nil
}

// CloseMessage marks a message closed, with staff's note.
func (db *DB) CloseMessage(ctx context.Context, id int64, note string) error {
	now := db.now().UTC()
	if _, err := db.wq(ctx).ExecContext(ctx, `UPDATE messages SET status = ?, close_note = ?, closed_at = ? WHERE id = ?`,
		model.MessageClosed, note, now, id); err != nil {
		return fmt.Errorf("storage: close message %d: %w", id, err)
	}
	return nil
}

// MessageReplies returns the replies to the messages ids, oldest first
// per message, each with the status of the push that took it.
func (db *DB) MessageReplies(ctx context.Context, ids ...int64) ([]model.MessageReply, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT r.id, r.message_id, r.staff_id, r.staff_name, r.body, r.source, r.created_at,
		dl.status AS delivery_status, dl.channel AS delivery_channel, dl.reason AS delivery_reason
		FROM message_replies r LEFT JOIN deliveries dl ON dl.source = r.source AND r.source <> ''
		WHERE r.message_id IN (?) ORDER BY r.message_id, r.id`, ids)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID        int64          `db:"id"`
		MessageID int64          `db:"message_id"`
		StaffID   int64          `db:"staff_id"`
		StaffName string         `db:"staff_name"`
		Body      string         `db:"body"`
		Source    string         `db:"source"`
		CreatedAt time.Time      `db:"created_at"`
		Status    sql.NullString `db:"delivery_status"`
		Channel   sql.NullString `db:"delivery_channel"`
		Reason    sql.NullString `db:"delivery_reason"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: message replies: %w", err)
	}
	out := make([]model.MessageReply, len(rows))
	for i, r := range rows {
		out[i] = model.MessageReply{ID: r.ID, MessageID: r.MessageID, StaffID: r.StaffID, StaffName: r.StaffName, Body: r.Body,
			Source: r.Source, CreatedAt: r.CreatedAt.UTC(), DeliveryStatus: r.Status.String, DeliveryChannel: r.Channel.String,
			DeliveryReason: r.Reason.String}
	}
	return out, nil
}
