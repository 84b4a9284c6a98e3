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

// codeBinding is a table that binds a WeChat to a row of its owner table
// with a 6-digit code issued in the console: one row per owner, made on
// first use, holding the code and its expiry until it is spent, then the
// openid (unique) and when it bound. Staff accounts (staff_wechat) and
// committee members who are not deputies (member_bindings) bind this way.
type codeBinding struct {
	table string // the binding table
	key   string // its column naming the owner, the primary key
	owner string // the owner table, keyed by id
	what  string // the owner in error messages
}

var (
	staffWeChat    = codeBinding{table: "staff_wechat", key: "staff_id", owner: "staff", what: "staff"}
	memberBindings = codeBinding{table: "member_bindings", key: "member_id", owner: "committee_members", what: "member"}
)

// ensure makes sure the owner id has a binding row; a missing owner gives
// ErrNotFound.
func (b codeBinding) ensure(ctx context.Context, db *DB, tx *sqlx.Tx, id int64) error {
	var one int
	if err := tx.GetContext(ctx, &one, `SELECT 1 FROM `+b.owner+` WHERE id = ?`, id); errors.Is(err, sql.ErrNoRows) {
		return model.ErrNotFound
	} else if err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO `+b.table+` (`+b.key+`) VALUES (?)`, id)
	return err
}

// setCode stores the owner's binding code, replacing any earlier.
func (b codeBinding) setCode(ctx context.Context, db *DB, id int64, code string, expires time.Time) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := b.ensure(ctx, db, tx, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE `+b.table+` SET bind_code = ?, bind_code_expires = ? WHERE `+b.key+` = ?`,
			code, expires.UTC(), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: %s %d bind code: %w", b.what, id, err)
	}
	return nil
}

// idsForCode returns the unbound owners whose unexpired code is code.
func (b codeBinding) idsForCode(ctx context.Context, db *DB, code string) ([]int64, error) {
	var ids []int64
	err := db.wq(ctx).SelectContext(ctx, &ids, `SELECT `+b.key+` FROM `+b.table+` WHERE bind_code = ? AND bind_code_expires > ?
		AND openid IS NULL ORDER BY `+b.key, code, db.now().UTC())
	if err != nil {
		return nil, fmt.Errorf("storage: %s bind code: %w", b.what, err)
	}
	return ids, nil
}

// bind binds openid to the owner and spends its code. It fails with
// ErrAlreadyBound when the owner has a WeChat or the openid belongs to
// another owner.
func (b codeBinding) bind(ctx context.Context, db *DB, id int64, openid string) error {
	now := db.now().UTC()
	var n int64
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := b.ensure(ctx, db, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE `+b.table+` SET openid = ?, bound_at = ?, bind_code = NULL,
			bind_code_expires = NULL WHERE `+b.key+` = ? AND openid IS NULL`, openid, now, id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	switch {
	case isDuplicate(err):
		return fmt.Errorf("storage: bind %s %d: %w", b.what, id, model.ErrAlreadyBound)
	case errors.Is(err, model.ErrNotFound):
		return fmt.Errorf("storage: bind %s %d: %w", b.what, id, model.ErrNotFound)
	case err != nil:
		return fmt.Errorf("storage: bind %s %d: %w", b.what, id, err)
	case n == 0:
		return fmt.Errorf("storage: bind %s %d: %w", b.what, id, model.ErrAlreadyBound)
	}
	return nil
}

// unbind removes the owner's WeChat binding; ErrNotFound when it has none.
func (b codeBinding) unbind(ctx context.Context, db *DB, id int64) error {
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE `+b.table+` SET openid = NULL, bound_at = NULL
		WHERE `+b.key+` = ? AND openid IS NOT NULL`, id)
	if err != nil {
		return fmt.Errorf("storage: unbind %s %d: %w", b.what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("storage: unbind %s %d: %w", b.what, id, err)
	} else if n == 0 {
		return fmt.Errorf("storage: unbind %s %d: %w", b.what, id, model.ErrNotFound)
	}
	return nil
}
