package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// SetMemberDeputy records the deputy record a member holds (0: none). A
// missing member or deputy gives ErrNotFound; a deputy already held by
// another member gives ErrConflict.
func (db *DB) SetMemberDeputy(ctx context.Context, memberID, deputyID int64) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := memberBindings.ensure(ctx, db, tx, memberID); err != nil {
			return err
		}
		var id any
		if deputyID > 0 {
			var one int
			if err := tx.GetContext(ctx, &one, `SELECT 1 FROM deputies WHERE id = ?`, deputyID); errors.Is(err, sql.ErrNoRows) {
				return model.ErrNotFound
			} else if err != nil {
				return err
			}
			id = deputyID
		}
		_, err := tx.ExecContext(ctx, `UPDATE member_bindings SET deputy_id = ? WHERE member_id = ?`, id, memberID)
		return err
	})
	switch {
	case isDuplicate(err):
		return fmt.Errorf("storage: member %d deputy %d: %w", memberID, deputyID, model.ErrConflict)
	case errors.Is(err, model.ErrNotFound), isForeignKeyViolation(err):
		return fmt.Errorf("storage: member %d deputy %d: %w", memberID, deputyID, model.ErrNotFound)
	case err != nil:
		return fmt.Errorf("storage: member %d deputy %d: %w", memberID, deputyID, err)
	}
	return nil
}

// SetMemberBindCode stores a member's binding code, replacing any earlier.
func (db *DB) SetMemberBindCode(ctx context.Context, memberID int64, code string, expires time.Time) error {
	return memberBindings.setCode(ctx, db, memberID, code, expires)
}

// MemberIDsForBindCode returns the unbound members whose unexpired code is code.
func (db *DB) MemberIDsForBindCode(ctx context.Context, code string) ([]int64, error) {
	return memberBindings.idsForCode(ctx, db, code)
}

// BindMember binds openid to the member and spends their code. It fails
// with ErrAlreadyBound when the member has a WeChat or the openid belongs
// to another member.
func (db *DB) BindMember(ctx context.Context, memberID int64, openid string) error {
	return memberBindings.bind(ctx, db, memberID, openid)
}

// UnbindMember removes the member's own WeChat binding (not their
// deputy's); ErrNotFound when they have none.
func (db *DB) UnbindMember(ctx context.Context, memberID int64) error {
	return memberBindings.unbind(ctx, db, memberID)
}

func (db *DB) getMember(ctx context.Context, what string, q string, arg any) (model.CommitteeMember, error) {
	var m model.CommitteeMember
	err := db.rq(ctx).GetContext(ctx, &m, memberSelect+q, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("storage: committee member of %s: %w", what, model.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("storage: committee member of %s: %w", what, err)
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return m, nil
}

// MemberByDeputy returns the member who holds the deputy record, or ErrNotFound.
func (db *DB) MemberByDeputy(ctx context.Context, deputyID int64) (model.CommitteeMember, error) {
	return db.getMember(ctx, "a deputy", ` WHERE b.deputy_id = ?`, deputyID)
}

// MemberByOpenID returns the member bound to openid with a member code,
// or ErrNotFound (a member who is a deputy is found through the deputy).
func (db *DB) MemberByOpenID(ctx context.Context, openid string) (model.CommitteeMember, error) {
	return db.getMember(ctx, "an openid", ` WHERE b.openid = ?`, openid)
}

// MemberBindCode returns a member's current code and its expiry; "" when
// none is unexpired.
func (db *DB) MemberBindCode(ctx context.Context, memberID int64) (string, time.Time, error) {
	var row struct {
		Code    sql.NullString `db:"bind_code"`
		Expires sql.NullTime   `db:"bind_code_expires"`
	}
	err := db.rq(ctx).GetContext(ctx, &row, `SELECT bind_code, bind_code_expires FROM member_bindings WHERE member_id = ?`, memberID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("storage: member %d bind code: %w", memberID, err)
	}
	if !row.Code.Valid || !row.Expires.Valid || !row.Expires.Time.After(db.now()) {
		return "", time.Time{}, nil
	}
	return row.Code.String, row.Expires.Time.UTC(), nil
}

// EnqueueMemberNotice writes a notice and one delivery of it to a
// committee member under source, unless a delivery under source exists:
// the unique (source, deputy) key makes a second writer harmless too.
// deputyID is the deputy record the member holds, or 0. It reports
// whether this call queued it, and the delivery's status.
func (db *DB) EnqueueMemberNotice(ctx context.Context, source string, n *model.Notice, deputyID int64, openid string) (bool, string, error) {
	queued, status := false, ""
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var one int
		err := tx.GetContext(ctx, &one, `SELECT 1 FROM deliveries WHERE source = ?`, source)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var following sql.NullBool
		if err := tx.GetContext(ctx, &following, `SELECT following FROM followers WHERE openid = ?`, openid); err != nil &&
			!errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var reason string
		status, reason = skipReason(model.StatusActive, openid != "", following)
		if err := db.createNotice(ctx, tx, n); err != nil {
			return err
		}
		now := db.now().UTC()
		res, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO deliveries (source, notice_id, deputy_id, openid, status,
			urgent, reason, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			source, n.ID, deputyID, openid, status, n.Urgent, reason, now, now)
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		queued = k == 1
		return err
	})
	if err != nil {
		return false, "", fmt.Errorf("storage: member notice %s: %w", source, err)
	}
	return queued, status, nil
}
