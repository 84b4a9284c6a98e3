package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"time"
)

// DelegationID returns the id of the delegation named name, or ErrNotFound.
func (db *DB) DelegationID(ctx context.Context, name string) (int64, error) {
	var id int64
	err := db.rq(ctx).GetContext(ctx, &id, `SELECT id FROM delegations WHERE name = ?`, name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("storage: delegation %q: %w", name, model.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("storage: delegation %q: %w", name, err)
	}
	return id, nil
}

// CreateLeader inserts l and sets its ID and CreatedAt. A deputy already a
// leader gives ErrConflict; a missing deputy or delegation ErrNotFound.
func (db *DB) CreateLeader(ctx context.Context, l *model.LiaisonLeader) error {
	now := db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO liaison_leaders (deputy_id, delegation_id, title, created_at)
		VALUES (?, ?, ?, ?)`, l.DeputyID, l.DelegationID, l.Title, now)
	switch {
	case isDuplicate(err):
		return fmt.Errorf("storage: create leader: %w", model.ErrConflict)
	case isForeignKeyViolation(err):
		return fmt.Errorf("storage: create leader: %w", model.ErrNotFound)
	case err != nil:
		return fmt.Errorf("storage: create leader: %w", err)
	}
	if l.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("storage: create leader: %w", err)
	}
	l.CreatedAt = now
	return nil
}

func yearArgs(from, to time.Time) []any {
	f, t := dateOnly(&from), dateOnly(&to)
	return []any{f, t, f, t}
}

// GetLeader returns a leader with their activities in [from, to), or ErrNotFound.
func (db *DB) GetLeader(ctx context.Context, id int64, from, to time.Time) (model.LiaisonLeader, error) {
	return db.getLeader(ctx, fmt.Sprintf("leader %d", id), ` WHERE l.id = ?`, id, from, to)
}

// LeaderByDeputy returns the leader who is the deputy, or ErrNotFound.
func (db *DB) LeaderByDeputy(ctx context.Context, deputyID int64, from, to time.Time) (model.LiaisonLeader, error) {
	return db.getLeader(ctx, fmt.Sprintf("leader of deputy %d", deputyID), ` WHERE l.deputy_id = ?`, deputyID, from, to)
}

func (db *DB) getLeader(ctx context.Context, what, where string, arg any, from, to time.Time) (model.LiaisonLeader, error) {
	var rows []leaderRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, leaderListSelect+where, append(yearArgs(from, to), arg)...); err != nil {
		return model.LiaisonLeader{}, fmt.Errorf("storage: %s: %w", what, err)
	}
	if len(rows) == 0 {
		return model.LiaisonLeader{}, fmt.Errorf("storage: %s: %w", what, model.ErrNotFound)
	}
	return rows[0].leader(), nil
}

// ListLeaders returns every leader by unit then name, with their
// activities in [from, to).
func (db *DB) ListLeaders(ctx context.Context, from, to time.Time) ([]model.LiaisonLeader, error) {
	var rows []leaderRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, leaderListSelect+` ORDER BY g.name, d.name, l.id`, yearArgs(from, to)...); err != nil {
		return nil, fmt.Errorf("storage: list leaders: %w", err)
	}
	out := make([]model.LiaisonLeader, len(rows))
	for i, r := range rows {
		out[i] = r.leader()
	}
	return out, nil
}

// leaderRow reads the latest date as text: SQLite returns MAX over a DATE
// column untyped.
type leaderRow struct {
	model.LiaisonLeader
	Last sql.NullString `db:"last_day"`
}

const leaderListSelect = `SELECT l.id, l.deputy_id, d.name AS deputy_name, l.delegation_id, g.name AS unit, l.title, l.created_at,
	(SELECT COUNT(*) FROM leader_activities a WHERE a.leader_id = l.id AND a.on_date >= ? AND a.on_date < ?) AS activities,
	(SELECT ` + lastDayExpr + ` FROM leader_activities a WHERE a.leader_id = l.id AND a.on_date >= ? AND a.on_date < ?) AS last_day
	FROM liaison_leaders l JOIN deputies d ON d.id = l.deputy_id JOIN delegations g ON g.id = l.delegation_id`

// lastDayExpr is the latest activity date as yyyy-mm-dd on both backends.
const lastDayExpr = `SUBSTR(CAST(MAX(a.on_date) AS CHAR), 1, 10)`

func (r leaderRow) leader() model.LiaisonLeader {
	l := r.LiaisonLeader
	if r.Last.Valid {
		if t, err := time.Parse(time.DateOnly, r.Last.String); err == nil {
			l.LastOn = sql.NullTime{Time: t, Valid: true}
		}
	}
	l.CreatedAt = l.CreatedAt.UTC()
	return l
}

// AddLeaderActivity stores a and sets its ID and CreatedAt. A missing
// leader gives ErrNotFound.
func (db *DB) AddLeaderActivity(ctx context.Context, a *model.LeaderActivity) error {
	now := db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO leader_activities (leader_id, kind, on_date, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, a.LeaderID, a.Kind, dateOnly(&a.OnDate), a.Note, a.CreatedBy, now)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("storage: leader activity: %w", model.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: leader activity: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("storage: leader activity: %w", err)
	}
	a.CreatedAt = now
	return nil
}

// LeaderActivities returns a leader's activities, the latest first.
func (db *DB) LeaderActivities(ctx context.Context, leaderID int64) ([]model.LeaderActivity, error) {
	var as []model.LeaderActivity
	if err := db.rq(ctx).SelectContext(ctx, &as, `SELECT a.id, a.leader_id, d.name AS leader_name, a.kind, a.on_date, a.note,
		a.created_by, a.created_at FROM leader_activities a JOIN liaison_leaders l ON l.id = a.leader_id
		JOIN deputies d ON d.id = l.deputy_id WHERE a.leader_id = ? ORDER BY a.on_date DESC, a.id DESC`, leaderID); err != nil {
		return nil, fmt.Errorf("storage: leader %d activities: %w", leaderID, err)
	}
	for i := range as {
		as[i].OnDate, as[i].CreatedAt = as[i].OnDate.UTC(), as[i].CreatedAt.UTC()
	}
	return as, nil
}
