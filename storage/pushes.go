package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// enqueue writes p's notice, one delivery per deputy under source (skipped
// with the reason for those who cannot be reached), and its asks.
func (db *DB) enqueue(ctx context.Context, tx *sqlx.Tx, source string, p model.Push) error {
	if len(p.DeputyIDs) == 0 {
		return nil
	}
	if err := db.createNotice(ctx, tx, &p.Notice); err != nil {
		return err
	}
	q, args, err := sqlx.In(`SELECT d.id, d.openid, d.status, f.following FROM deputies d
		LEFT JOIN followers f ON f.openid = d.openid WHERE d.id IN (?)`, p.DeputyIDs)
	if err != nil {
		return err
	}
	var rows []struct {
		ID        int64          `db:"id"`
		OpenID    sql.NullString `db:"openid"`
		Status    string         `db:"status"`
		Following sql.NullBool   `db:"following"`
	}
	if err := tx.SelectContext(ctx, &rows, q, args...); err != nil {
		return fmt.Errorf("storage: push recipients: %w", err)
	}
	now := db.now().UTC()
	var b strings.Builder
	b.WriteString(db.insertIgnore() + ` INTO deliveries (source, notice_id, deputy_id, openid, status, urgent, reason,
		next_at, created_at) VALUES `)
	vals := make([]any, 0, len(rows)*9)
	for i, r := range rows {
		status, reason := skipReason(r.Status, r.OpenID.Valid, r.Following)
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
		vals = append(vals, source, p.Notice.ID, r.ID, r.OpenID.String, status, p.Notice.Urgent, reason, now, now)
	}
	if _, err := tx.ExecContext(ctx, b.String(), vals...); err != nil {
		return fmt.Errorf("storage: push deliveries: %w", err)
	}
	if p.Ask == nil {
		return nil
	}
	for _, id := range p.DeputyIDs {
		if err := db.addPendingAsk(ctx, tx, id, p.Ask.Flow, p.Ask.RefID, p.Ask.Title); err != nil {
			return err
		}
	}
	return nil
}

// reachCase is skipReason in SQL, over deputies d LEFT JOIN followers f:
// with reachArgs(true) it gives a delivery's status, with reachArgs(false)
// its reason.
const reachCase = `CASE WHEN d.status = ? THEN ? WHEN d.openid IS NULL THEN ? WHEN f.following = 0 THEN ? ELSE ? END`

func reachArgs(status bool) []any {
	if status {
		return []any{model.StatusEnded, model.DeliverySkipped, model.DeliverySkipped, model.DeliverySkipped, model.DeliveryQueued}
	}
	return []any{model.StatusEnded, reasonEnded, reasonUnbound, reasonUnfollowed, ""}
}

// Why a deputy cannot be reached.
const (
	reasonEnded      = "代表资格已终止"
	reasonUnbound    = "未绑定微信"
	reasonUnfollowed = "已取消关注"
)

// skipReason says whether a deputy can be reached, and why not (reachCase
// says the same in SQL).
func skipReason(status string, bound bool, following sql.NullBool) (string, string) {
	switch {
	case status == model.StatusEnded:
		return model.DeliverySkipped, reasonEnded
	case !bound:
		return model.DeliverySkipped, reasonUnbound
	case following.Valid && !following.Bool:
		return model.DeliverySkipped, reasonUnfollowed
	}
	return model.DeliveryQueued, ""
}

// enqueueAll writes each push under source.N.
func (db *DB) enqueueAll(ctx context.Context, tx *sqlx.Tx, source string, pushes []model.Push) error {
	for i, p := range pushes {
		if err := db.enqueue(ctx, tx, fmt.Sprintf("%s.%d", source, i), p); err != nil {
			return err
		}
	}
	return nil
}
