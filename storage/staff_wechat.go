package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"deputybot/model"
)

// SetStaffBindCode stores the account's WeChat binding code, replacing any earlier.
func (db *DB) SetStaffBindCode(ctx context.Context, staffID int64, code string, expires time.Time) error {
	return staffWeChat.setCode(ctx, db, staffID, code, expires)
}

// StaffIDsForBindCode returns the unbound accounts whose unexpired code is code.
func (db *DB) StaffIDsForBindCode(ctx context.Context, code string) ([]int64, error) {
	return staffWeChat.idsForCode(ctx, db, code)
}

// BindStaffWeChat binds openid to the account and spends its code. It
// fails with ErrAlreadyBound when the account has a WeChat or the openid
// belongs to another account.
func (db *DB) BindStaffWeChat(ctx context.Context, staffID int64, openid string) error {
	return staffWeChat.bind(ctx, db, staffID, openid)
}

// UnbindStaffWeChat removes the account's WeChat binding; ErrNotFound
// when it has none.
func (db *DB) UnbindStaffWeChat(ctx context.Context, staffID int64) error {
	return staffWeChat.unbind(ctx, db, staffID)
}

type staffWeChatRow struct {
	StaffID int64          `db:"staff_id"`
	OpenID  sql.NullString `db:"openid"`
	BoundAt sql.NullTime   `db:"bound_at"`
}

// StaffWeChatOf returns the account's WeChat binding (zero OpenID when none).
func (db *DB) StaffWeChatOf(ctx context.Context, staffID int64) (model.StaffWeChat, error) {
	var row staffWeChatRow
	err := db.rq(ctx).GetContext(ctx, &row, `SELECT staff_id, openid, bound_at FROM staff_wechat WHERE staff_id = ?`, staffID)
	if errors.Is(err, sql.ErrNoRows) {
		return model.StaffWeChat{StaffID: staffID}, nil
	}
	if err != nil {
		return model.StaffWeChat{}, fmt.Errorf("storage: staff %d wechat: %w", staffID, err)
	}
	return model.StaffWeChat{StaffID: staffID, OpenID: row.OpenID.String, BoundAt: timePtr(row.BoundAt)}, nil
}

// StaffByOpenID returns the account bound to openid, or ErrNotFound.
func (db *DB) StaffByOpenID(ctx context.Context, openid string) (model.Account, error) {
	var row accountRow
	err := db.rq(ctx).GetContext(ctx, &row, `SELECT s.id, s.username, s.name, s.role, s.unit, s.password_hash,
		s.must_change_password, s.disabled, s.created_at, s.last_login_at AS last_login
		FROM staff s JOIN staff_wechat w ON w.staff_id = s.id WHERE w.openid = ?`, openid)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Account{}, fmt.Errorf("storage: staff of an openid: %w", model.ErrNotFound)
	}
	if err != nil {
		return model.Account{}, fmt.Errorf("storage: staff of an openid: %w", err)
	}
	return row.account(), nil
}

// BoundStaff returns every enabled account with a WeChat bound, by id.
func (db *DB) BoundStaff(ctx context.Context) ([]model.BoundStaff, error) {
	var rows []struct {
		accountRow
		OpenID string `db:"openid"`
	}
	err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT s.id, s.username, s.name, s.role, s.unit, s.password_hash,
		s.must_change_password, s.disabled, s.created_at, s.last_login_at AS last_login, w.openid
		FROM staff s JOIN staff_wechat w ON w.staff_id = s.id WHERE w.openid IS NOT NULL AND s.disabled = ? ORDER BY s.id`, false)
	if err != nil {
		return nil, fmt.Errorf("storage: bound staff: %w", err)
	}
	out := make([]model.BoundStaff, len(rows))
	for i, r := range rows {
		out[i] = model.BoundStaff{Account: r.account(), OpenID: r.OpenID}
	}
	return out, nil
}

// EnqueueDirectNotice writes a notice and one delivery of it to openid,
// someone who is no deputy (a staff account's WeChat), under source,
// unless a delivery under source exists. It reports whether this call
// queued it, and the delivery's status.
func (db *DB) EnqueueDirectNotice(ctx context.Context, source string, n *model.Notice, openid string) (bool, string, error) {
	return db.EnqueueMemberNotice(ctx, source, n, 0, openid)
}

// SuggestionCoUnits returns the co-units (协办单位, as stored) of every
// suggestion that has some, by suggestion id.
func (db *DB) SuggestionCoUnits(ctx context.Context) (map[int64]string, error) {
	var rows []struct {
		ID      int64  `db:"id"`
		CoUnits string `db:"co_units"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT id, co_units FROM suggestions WHERE co_units <> ''`); err != nil {
		return nil, fmt.Errorf("storage: suggestion co-units: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.CoUnits
	}
	return out, nil
}

// StaffWeChatBound returns when each account with a WeChat bound bound it.
func (db *DB) StaffWeChatBound(ctx context.Context) (map[int64]time.Time, error) {
	var rows []struct {
		StaffID int64        `db:"staff_id"`
		BoundAt sql.NullTime `db:"bound_at"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT staff_id, bound_at FROM staff_wechat WHERE openid IS NOT NULL`); err != nil {
		return nil, fmt.Errorf("storage: staff wechat bound: %w", err)
	}
	out := make(map[int64]time.Time, len(rows))
	for _, r := range rows {
		out[r.StaffID] = r.BoundAt.Time.UTC()
	}
	return out, nil
}
