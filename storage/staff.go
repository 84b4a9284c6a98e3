package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

type accountRow struct {
	model.Account
	LastLogin sql.NullTime `db:"last_login"`
}

const accountSelect = `SELECT id, username, name, role, unit, password_hash, must_change_password, disabled,
	created_at, last_login_at AS last_login FROM staff`

func (r accountRow) account() model.Account {
	a := r.Account
	a.CreatedAt = a.CreatedAt.UTC()
	a.LastLoginAt = timePtr(r.LastLogin)
	return a
}

// CreateAccount inserts a and sets its ID and CreatedAt; a username
// already taken gives ErrConflict.
func (db *DB) CreateAccount(ctx context.Context, a *model.Account) error {
	now := db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO staff (username, name, role, unit, password_hash,
		must_change_password, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.Username, a.Name, a.Role, a.Unit, a.PasswordHash, a.MustChangePassword, a.Disabled, now)
	if isDuplicate(err) {
		return fmt.Errorf("storage: create account %s: %w", a.Username, model.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("storage: create account: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("storage: create account: %w", err)
	}
	a.CreatedAt = now
	return nil
}

// GetAccount returns the account with id, or ErrNotFound.
func (db *DB) GetAccount(ctx context.Context, id int64) (model.Account, error) {
	return db.getAccount(ctx, accountSelect+` WHERE id = ?`, id)
}

// GetAccountByUsername returns the account called username, or ErrNotFound.
func (db *DB) GetAccountByUsername(ctx context.Context, username string) (model.Account, error) {
	return db.getAccount(ctx, accountSelect+` WHERE username = ?`, username)
}

func (db *DB) getAccount(ctx context.Context, q string, arg any) (model.Account, error) {
	var row accountRow
	err := db.rq(ctx).GetContext(ctx, &row, q, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Account{}, fmt.Errorf("storage: account: %w", model.ErrNotFound)
	}
	if err != nil {
		return model.Account{}, fmt.Errorf("storage: account: %w", err)
	}
	return row.account(), nil
}

// ListAccounts returns every account, by username.
func (db *DB) ListAccounts(ctx context.Context) ([]model.Account, error) {
	var rows []accountRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, accountSelect+` ORDER BY username`); err != nil {
		return nil, fmt.Errorf("storage: list accounts: %w", err)
	}
	out := make([]model.Account, len(rows))
	for i, r := range rows {
		out[i] = r.account()
	}
	return out, nil
}

// CountActiveAdmins returns how many enabled admin accounts exist.
func (db *DB) CountActiveAdmins(ctx context.Context) (int, error) {
	var n int
	if err := db.rq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM staff WHERE role = ? AND disabled = ?`, model.RoleAdmin, false); err != nil {
		return 0, fmt.Errorf("storage: count admins: %w", err)
	}
	return n, nil
}

// UpdateAccount writes a's name, role, unit and disabled flag.
func (db *DB) UpdateAccount(ctx context.Context, a model.Account) error {
	return db.execAccount(ctx, fmt.Sprintf("update account %d", a.ID),
		`UPDATE staff SET name = ?, role = ?, unit = ?, disabled = ? WHERE id = ?`,
		a.Name, a.Role, a.Unit, a.Disabled, a.ID)
}

// SetAccountPassword replaces the account's password hash.
func (db *DB) SetAccountPassword(ctx context.Context, id int64, hash string, mustChange bool) error {
	return db.execAccount(ctx, fmt.Sprintf("set password of account %d", id),
		`UPDATE staff SET password_hash = ?, must_change_password = ? WHERE id = ?`, hash, mustChange, id)
}

// SetAccountDisabled disables or re-enables an account.
func (db *DB) SetAccountDisabled(ctx context.Context, id int64, disabled bool) error {
	return db.execAccount(ctx, fmt.Sprintf("disable account %d", id),
		`UPDATE staff SET disabled = ? WHERE id = ?`, disabled, id)
}

// TouchAccountLogin records a successful login.
func (db *DB) TouchAccountLogin(ctx context.Context, id int64) error {
	return db.execAccount(ctx, fmt.Sprintf("touch account %d", id),
		`UPDATE staff SET last_login_at = ? WHERE id = ?`, db.now().UTC(), id)
}

// execAccount runs an UPDATE of one staff row whose id is the last argument; ErrNotFound when that row is
// missing (MySQL counts unchanged rows as unaffected, so it looks).
func (db *DB) execAccount(ctx context.Context, what, q string, args ...any) error {
	res, err := db.wq(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	var one int
	err = db.wq(ctx).GetContext(ctx, &one, `SELECT 1 FROM staff WHERE id = ?`, args[len(args)-1])
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("storage: %s: %w", what, model.ErrNotFound)
	}
	return err
}

type tokenRow struct {
	model.APIToken
	LastUsed sql.NullTime `db:"last_used"`
	Revoked  sql.NullTime `db:"revoked"`
}

func (r tokenRow) token() model.APIToken {
	t := r.APIToken
	t.CreatedAt = t.CreatedAt.UTC()
	t.LastUsedAt, t.RevokedAt = timePtr(r.LastUsed), timePtr(r.Revoked)
	return t
}

const tokenSelect = `SELECT id, staff_id, name, token_hash, created_at, last_used_at AS last_used,
	revoked_at AS revoked FROM api_tokens`

// CreateAPIToken inserts t and sets its ID and CreatedAt.
func (db *DB) CreateAPIToken(ctx context.Context, t *model.APIToken) error {
	now := db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO api_tokens (staff_id, name, token_hash, created_at)
		VALUES (?, ?, ?, ?)`, t.StaffID, t.Name, t.Hash, now)
	if isDuplicate(err) {
		return fmt.Errorf("storage: create api token: %w", model.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("storage: create api token: %w", err)
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("storage: create api token: %w", err)
	}
	t.CreatedAt = now
	return nil
}

// GetAPITokenByHash returns the token with that hash (revoked or not), or
// ErrNotFound.
func (db *DB) GetAPITokenByHash(ctx context.Context, hash string) (model.APIToken, error) {
	var row tokenRow
	err := db.rq(ctx).GetContext(ctx, &row, tokenSelect+` WHERE token_hash = ?`, hash)
	if errors.Is(err, sql.ErrNoRows) {
		return model.APIToken{}, fmt.Errorf("storage: api token: %w", model.ErrNotFound)
	}
	if err != nil {
		return model.APIToken{}, fmt.Errorf("storage: api token: %w", err)
	}
	return row.token(), nil
}

// ListAPITokens returns the tokens of an account, newest first.
func (db *DB) ListAPITokens(ctx context.Context, staffID int64) ([]model.APIToken, error) {
	var rows []tokenRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, tokenSelect+` WHERE staff_id = ? ORDER BY id DESC`, staffID); err != nil {
		return nil, fmt.Errorf("storage: list api tokens: %w", err)
	}
	out := make([]model.APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// RevokeAPIToken revokes the token id of account staffID; ErrNotFound when
// that account has no such token. Revoking twice keeps the first time.
func (db *DB) RevokeAPIToken(ctx context.Context, staffID, id int64) error {
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?)
		WHERE id = ? AND staff_id = ?`, db.now().UTC(), id, staffID)
	if err != nil {
		return fmt.Errorf("storage: revoke api token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		if err := db.wq(ctx).GetContext(ctx, &one, `SELECT 1 FROM api_tokens WHERE id = ? AND staff_id = ?`, id, staffID); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("storage: revoke api token %d: %w", id, model.ErrNotFound)
		}
	}
	return nil
}

// TouchAPIToken records that the token was used at the database clock's now.
func (db *DB) TouchAPIToken(ctx context.Context, id int64) error {
	if _, err := db.wq(ctx).ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, db.now().UTC(), id); err != nil {
		return fmt.Errorf("storage: touch api token %d: %w", id, err)
	}
	return nil
}

// RecordLoginFailure notes a failed login under key (an account or an
// address) and forgets every failure older than keep, so made-up
// usernames do not pile up.
func (db *DB) RecordLoginFailure(ctx context.Context, key string, keep time.Duration) error {
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE at < ?`, now.Add(-keep)); err != nil {
			return fmt.Errorf("storage: prune login attempts: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (k, at) VALUES (?, ?)`, key, now); err != nil {
			return fmt.Errorf("storage: record login attempt: %w", err)
		}
		return nil
	})
}

// LoginFailures returns the failed logins under key after since, newest
// first, at most limit of them.
func (db *DB) LoginFailures(ctx context.Context, key string, since time.Time, limit int) ([]time.Time, error) {
	var out []time.Time
	err := db.rq(ctx).SelectContext(ctx, &out, fmt.Sprintf(`SELECT at FROM login_attempts WHERE k = ? AND at > ?
		ORDER BY at DESC LIMIT %d`, limit), key, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("storage: login attempts: %w", err)
	}
	for i := range out {
		out[i] = out[i].UTC()
	}
	return out, nil
}

// ClearLoginFailures forgets every failed login under key.
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM login_attempts WHERE k = ?`, key); err != nil {
		return fmt.Errorf("storage: clear login attempts: %w", err)
	}
	return nil
}

// CountDeliveriesSince returns how many deliveries created at or after
// since are in each status, for the dashboard.
//
// GROUP BY +status, not status: SQLite would otherwise walk every delivery
// ever written in the deliveries_due index to get the groups in order,
// instead of reading today's few from deliveries_created (84 ms against
// 3 ms on 200,000 deliveries). MySQL ignores the unary plus, and MariaDB
// made the same choice (walking deliveries_due and reading each row: 215
// ms for 10,000 of today's among 200,000, against 39 ms with
// deliveries_created): it is told which index to use, as MySQL 8 and TiDB
// understand too.
func (db *DB) CountDeliveriesSince(ctx context.Context, since time.Time) (map[string]int, error) {
	from := `deliveries d`
	if db.dialect == MySQL {
		from = `deliveries d FORCE INDEX (deliveries_created)`
	}
	// Test sends are left out: they are no work done.
	rows, err := db.rq(ctx).QueryContext(ctx, `SELECT d.status, COUNT(*) FROM `+from+` WHERE d.created_at >= ?
		AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.id = d.notice_id AND n.title LIKE ? ESCAPE '!') GROUP BY +d.status`,
		since.UTC(), escapeLike(model.TestTitlePrefix)+"%")
	if err != nil {
		return nil, fmt.Errorf("storage: count deliveries: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("storage: count deliveries: %w", err)
		}
		out[status] = n
	}
	return out, rows.Err()
}

// RecentDeliveriesOf returns the newest deliveries to a deputy, newest first.
//
// On MySQL the query names deliveries_deputy ((deputy_id) and the primary
// key, so the deputy's rows by id): at 200,000 deliveries MariaDB walked
// the primary key down from the newest row instead, looking for the
// deputy's, 60 ms a page (seen in the slow query log).
func (db *DB) RecentDeliveriesOf(ctx context.Context, deputyID int64, limit int) ([]model.DeputyDelivery, error) {
	hint := ""
	if db.dialect == MySQL {
		hint = " FORCE INDEX (deliveries_deputy)"
	}
	var out []model.DeputyDelivery
	err := db.rq(ctx).SelectContext(ctx, &out, fmt.Sprintf(`SELECT d.id, n.kind, n.title, d.status, d.reason,
		d.created_at, d.sent_at, d.read_at, d.next_at, d.urgent FROM deliveries d%s JOIN notices n ON n.id = d.notice_id
		WHERE d.deputy_id = ? ORDER BY d.id DESC LIMIT %d`, hint, limit), deputyID)
	if err != nil {
		return nil, fmt.Errorf("storage: deliveries of deputy %d: %w", deputyID, err)
	}
	return out, nil
}

// TerminationImpact counts what ending the deputy's term stops: the
// deliveries still waiting to go to them and their invitations to meetings
// that have not started.
func (db *DB) TerminationImpact(ctx context.Context, deputyID int64, now time.Time) (waiting, invitations int, err error) {
	if err = db.rq(ctx).GetContext(ctx, &waiting, `SELECT COUNT(*) FROM deliveries WHERE deputy_id = ? AND status IN (?, ?)`,
		deputyID, model.DeliveryQueued, model.DeliveryRetry); err != nil {
		return 0, 0, fmt.Errorf("storage: termination impact: %w", err)
	}
	if err = db.rq(ctx).GetContext(ctx, &invitations, `SELECT COUNT(*) FROM invitations i JOIN meetings m ON m.id = i.meeting_id
		WHERE i.deputy_id = ? AND m.starts_at > ?`, deputyID, now.UTC()); err != nil {
		return 0, 0, fmt.Errorf("storage: termination impact: %w", err)
	}
	return waiting, invitations, nil
}
