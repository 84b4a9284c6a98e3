package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// This file holds the queries of 督办 (supervision of suggestion
// handling): deadlines and their extensions, the promise dates of B/C
// replies, and the counts behind 见面率.

type supervisionRow struct {
	ID                   int64        `db:"id"`
	Number               string       `db:"number"`
	Title                string       `db:"title"`
	Session              string       `db:"session"`
	HostUnit             string       `db:"host_unit"`
	Status               string       `db:"status"`
	CreatedAt            time.Time    `db:"created_at"`
	Deadline             sql.NullTime `db:"deadline"`
	Pending              int          `db:"pending"`
	ReplyCategory        string       `db:"reply_category"`
	RepliedAt            sql.NullTime `db:"replied_at"`
	Promise              sql.NullTime `db:"promise_date"`
	PromiseReplyAt       sql.NullTime `db:"promise_reply_at"`
	DissatisfiedResult   int          `db:"dis_result"`
	DissatisfiedAttitude int          `db:"dis_attitude"`
}

// SupervisionRows returns every suggestion matching f with what 督办
// needs, ordered by id.
func (db *DB) SupervisionRows(ctx context.Context, f model.SupervisionFilter) ([]model.SupervisionRow, error) {
	where, args := whereSupervisionFilter(f)
	var rows []supervisionRow
	err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT s.id, s.number, s.title, s.session, s.host_unit, s.status,
		s.created_at, s.deadline, s.reply_category, s.replied_at,
		(SELECT COUNT(*) FROM suggestion_extensions e WHERE e.suggestion_id = s.id AND e.status = 'pending') AS pending,
		p.promise_date, p.reply_at AS promise_reply_at,
		(SELECT COUNT(*) FROM suggestion_ratings r WHERE r.suggestion_id = s.id AND r.result = 'dissatisfied') AS dis_result,
		(SELECT COUNT(*) FROM suggestion_ratings r WHERE r.suggestion_id = s.id AND r.attitude = 'dissatisfied') AS dis_attitude
		FROM suggestions s LEFT JOIN suggestion_promises p ON p.suggestion_id = s.id`+where+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: supervision rows: %w", err)
	}
	// The latest approved deadline is taken here: an aggregate over a DATE
	// column reads back as text on SQLite.
	var approved []struct {
		SuggestionID int64     `db:"suggestion_id"`
		NewDeadline  time.Time `db:"new_deadline"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &approved, `SELECT e.suggestion_id, e.new_deadline FROM suggestion_extensions e
		JOIN suggestions s ON s.id = e.suggestion_id`+andWhere(where)+`e.status = 'approved'`, args...); err != nil {
		return nil, fmt.Errorf("storage: approved extensions: %w", err)
	}
	extended := map[int64]time.Time{}
	for _, a := range approved {
		if a.NewDeadline.After(extended[a.SuggestionID]) {
			extended[a.SuggestionID] = a.NewDeadline.UTC()
		}
	}
	out := make([]model.SupervisionRow, len(rows))
	for i, r := range rows {
		var ext *time.Time
		if t, ok := extended[r.ID]; ok {
			ext = &t
		}
		out[i] = model.SupervisionRow{ID: r.ID, Number: r.Number, Title: r.Title, Session: r.Session, HostUnit: r.HostUnit,
			Status: r.Status, CreatedAt: r.CreatedAt.UTC(), Deadline: timePtr(r.Deadline), Extended: ext,
			Pending: r.Pending, ReplyCategory: r.ReplyCategory, RepliedAt: timePtr(r.RepliedAt),
			Promise: timePtr(r.Promise), PromiseReplyAt: timePtr(r.PromiseReplyAt),
			DissatisfiedResult: r.DissatisfiedResult, DissatisfiedAttitude: r.DissatisfiedAttitude}
	}
	return out, nil
}

// SetPromise records the promise date (承诺解决时限) of the suggestion's
// reply made at replyAt, replacing any earlier one.
func (db *DB) SetPromise(ctx context.Context, suggestionID int64, date time.Time, replyAt *time.Time, by string) error {
	q := `INSERT INTO suggestion_promises (suggestion_id, promise_date, reply_at, set_by, set_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (suggestion_id) DO UPDATE SET promise_date = excluded.promise_date, reply_at = excluded.reply_at,
		set_by = excluded.set_by, set_at = excluded.set_at`
	if db.dialect == MySQL {
		q = `INSERT INTO suggestion_promises (suggestion_id, promise_date, reply_at, set_by, set_at) VALUES (?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE promise_date = VALUES(promise_date), reply_at = VALUES(reply_at),
		set_by = VALUES(set_by), set_at = VALUES(set_at)`
	}
	if _, err := db.wq(ctx).ExecContext(ctx, q, suggestionID, dateOnly(&date), nullTime(replyAt), by, db.now().UTC()); err != nil {
		return fmt.Errorf("storage: promise of suggestion %d: %w", suggestionID, err)
	}
	return nil
}

const extensionSelect = `SELECT e.id, e.suggestion_id, e.unit, e.old_deadline, e.new_deadline, e.reason, e.status,
	e.requested_by, e.requested_at, e.decided_by, e.decided_at, e.decision_note, s.number, s.title
	FROM suggestion_extensions e JOIN suggestions s ON s.id = e.suggestion_id`

// CreateExtension stores a pending request; while another request of the
// same suggestion is pending it gives ErrConflict. e.ID, e.Status and
// e.RequestedAt are filled in.
func (db *DB) CreateExtension(ctx context.Context, e *model.Extension) error {
	now := db.now().UTC()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		lock := `SELECT id FROM suggestions WHERE id = ?`
		if db.dialect == MySQL {
			lock += ` FOR UPDATE`
		}
		var id int64
		if err := tx.GetContext(ctx, &id, lock, e.SuggestionID); errors.Is(err, sql.ErrNoRows) {
			return model.ErrNotFound
		} else if err != nil {
			return err
		}
		var pending int
		if err := tx.GetContext(ctx, &pending, `SELECT COUNT(*) FROM suggestion_extensions
			WHERE suggestion_id = ? AND status = 'pending'`, e.SuggestionID); err != nil {
			return err
		}
		if pending > 0 {
			return model.ErrConflict
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO suggestion_extensions (suggestion_id, unit, old_deadline, new_deadline,
			reason, status, requested_by, requested_at, decision_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')`,
			e.SuggestionID, e.Unit, dateOnly(&e.OldDeadline), dateOnly(&e.NewDeadline), e.Reason, model.ExtensionPending,
			e.RequestedBy, now)
		if err != nil {
			return err
		}
		e.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: extension of suggestion %d: %w", e.SuggestionID, err)
	}
	e.Status, e.RequestedAt = model.ExtensionPending, now
	return nil
}

// GetExtension returns the request with id, or ErrNotFound.
func (db *DB) GetExtension(ctx context.Context, id int64) (model.Extension, error) {
	var e model.Extension
	err := db.rq(ctx).GetContext(ctx, &e, extensionSelect+` WHERE e.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("storage: extension %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("storage: extension %d: %w", id, err)
	}
	return utcExtension(e), nil
}

// ListExtensions returns the requests matching f, newest first.
func (db *DB) ListExtensions(ctx context.Context, f model.ExtensionFilter) ([]model.Extension, error) {
	var conds []string
	var args []any
	if f.Status != "" {
		conds, args = append(conds, `e.status = ?`), append(args, f.Status)
	}
	if f.HostUnit != "" {
		conds, args = append(conds, `s.host_unit = ?`), append(args, f.HostUnit)
	}
	if f.SuggestionID != 0 {
		conds, args = append(conds, `e.suggestion_id = ?`), append(args, f.SuggestionID)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var out []model.Extension
	if err := db.rq(ctx).SelectContext(ctx, &out, extensionSelect+where+` ORDER BY e.requested_at DESC, e.id DESC`, args...); err != nil {
		return nil, fmt.Errorf("storage: list extensions: %w", err)
	}
	for i := range out {
		out[i] = utcExtension(out[i])
	}
	return out, nil
}

// DecideExtension approves or rejects (status) the pending request id.
// A request no longer pending gives ErrConflict, a missing one ErrNotFound.
func (db *DB) DecideExtension(ctx context.Context, id int64, status, by, note string) error {
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE suggestion_extensions SET status = ?, decided_by = ?, decided_at = ?,
		decision_note = ? WHERE id = ? AND status = 'pending'`, status, by, db.now().UTC(), note, id)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			if _, err = db.GetExtension(ctx, id); err == nil {
				err = model.ErrConflict
			}
		}
	}
	if err != nil {
		return fmt.Errorf("storage: decide extension %d: %w", id, err)
	}
	return nil
}

// FaceToFaceCounts counts, per host unit, the suggestions matching f with
// at least one rating whose contact is 当面沟通: the numerator of 见面率.
func (db *DB) FaceToFaceCounts(ctx context.Context, f model.SuggestionRatesFilter) (map[string]int, error) {
	where, args := whereSupervisionFilter(model.SupervisionFilter(f))
	return db.countBy(ctx, "face-to-face counts", `SELECT s.host_unit, COUNT(*) FROM suggestions s`+andWhere(where)+
		`EXISTS (SELECT 1 FROM suggestion_ratings r WHERE r.suggestion_id = s.id AND r.contact = 'face')
		GROUP BY s.host_unit`, args...)
}

// andWhere turns a WHERE clause ("" or " WHERE …") into one a further
// condition can follow.
func andWhere(where string) string {
	if where == "" {
		return " WHERE "
	}
	return where + " AND "
}

func whereSupervisionFilter(f model.SupervisionFilter) (string, []any) {
	conds := []string{inHandling}
	var args []any
	if f.Session != "" {
		conds, args = append(conds, `s.session = ?`), append(args, f.Session)
	}
	if f.HostUnit != "" {
		conds, args = append(conds, `s.host_unit = ?`), append(args, f.HostUnit)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func utcExtension(e model.Extension) model.Extension {
	e.OldDeadline, e.NewDeadline, e.RequestedAt = e.OldDeadline.UTC(), e.NewDeadline.UTC(), e.RequestedAt.UTC()
	if e.DecidedAt != nil {
		u := e.DecidedAt.UTC()
		e.DecidedAt = &u
	}
	return e
}
