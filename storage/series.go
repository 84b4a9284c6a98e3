package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

type seriesRow struct {
	ID           int64        `db:"id"`
	Name         string       `db:"name"`
	Kind         string       `db:"kind"`
	Title        string       `db:"title"`
	Body         string       `db:"body"`
	Audience     string       `db:"audience"`
	Schedule     string       `db:"schedule"`
	NextMaterial bool         `db:"next_material"`
	Active       bool         `db:"active"`
	CreatedAt    time.Time    `db:"created_at"`
	LastRunAt    sql.NullTime `db:"last_run_at"`
}

func (r seriesRow) series() (model.Series, error) {
	s := model.Series{ID: r.ID, Name: r.Name, Kind: r.Kind, Title: r.Title, Body: r.Body, Schedule: r.Schedule,
		NextMaterial: r.NextMaterial, Active: r.Active, CreatedAt: r.CreatedAt.UTC(), LastRunAt: timePtr(r.LastRunAt)}
	if err := json.Unmarshal([]byte(r.Audience), &s.Audience); err != nil {
		return s, fmt.Errorf("storage: series %d audience: %w", r.ID, err)
	}
	return s, nil
}

const seriesSelect = `SELECT id, name, kind, title, body, audience, schedule, next_material, active, created_at,
	last_run_at FROM notice_series`

// CreateSeries inserts s, active, and sets its ID, Active and CreatedAt.
func (db *DB) CreateSeries(ctx context.Context, s *model.Series) error {
	aud, err := json.Marshal(s.Audience)
	if err != nil {
		return fmt.Errorf("storage: create series: %w", err)
	}
	now := db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO notice_series (name, kind, title, body, audience, schedule,
		next_material, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.Name, s.Kind, s.Title, s.Body, string(aud), s.Schedule, s.NextMaterial, true, now)
	if err != nil {
		return fmt.Errorf("storage: create series: %w", err)
	}
	if s.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("storage: create series: %w", err)
	}
	s.Active, s.CreatedAt = true, now
	return nil
}

// GetSeries returns the series with id, or ErrNotFound.
func (db *DB) GetSeries(ctx context.Context, id int64) (model.Series, error) {
	var row seriesRow
	err := db.rq(ctx).GetContext(ctx, &row, seriesSelect+` WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Series{}, fmt.Errorf("storage: series %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return model.Series{}, fmt.Errorf("storage: series %d: %w", id, err)
	}
	return row.series()
}

// ListSeries returns every series, or only the active ones, by id.
func (db *DB) ListSeries(ctx context.Context, activeOnly bool) ([]model.Series, error) {
	q := seriesSelect + ` ORDER BY id`
	var args []any
	if activeOnly {
		q, args = seriesSelect+` WHERE active = ? ORDER BY id`, []any{true}
	}
	var rows []seriesRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: list series: %w", err)
	}
	out := make([]model.Series, len(rows))
	for i, r := range rows {
		s, err := r.series()
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// SetSeriesActive starts or stops a series. ErrNotFound if it is missing.
func (db *DB) SetSeriesActive(ctx context.Context, id int64, active bool) error {
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE notice_series SET active = ? WHERE id = ?`, active, id)
	if err != nil {
		return fmt.Errorf("storage: series %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		if _, err := db.GetSeries(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// ClaimSeriesRun moves the series' last run from prev (nil: never run) to
// at, and reports whether this caller did it: of two instances running the
// same tick, only one sees true and sends.
func (db *DB) ClaimSeriesRun(ctx context.Context, id int64, prev *time.Time, at time.Time) (bool, error) {
	q, args := `UPDATE notice_series SET last_run_at = ? WHERE id = ? AND last_run_at IS NULL`, []any{at.UTC(), id}
	if prev != nil {
		q, args = `UPDATE notice_series SET last_run_at = ? WHERE id = ? AND last_run_at = ?`, append(args, prev.UTC())
	}
	res, err := db.wq(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("storage: claim series %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: claim series %d: %w", id, err)
	}
	return n == 1, nil
}
