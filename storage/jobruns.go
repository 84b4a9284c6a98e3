package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

type jobRunRow struct {
	ID          int64        `db:"id"`
	Job         string       `db:"job"`
	Kind        string       `db:"kind"`
	ScheduledAt time.Time    `db:"scheduled_at"`
	StartedAt   time.Time    `db:"started_at"`
	FinishedAt  sql.NullTime `db:"finished_at"`
	Status      string       `db:"status"`
	Counts      string       `db:"counts"`
	Note        string       `db:"note"`
}

func (r jobRunRow) run() model.JobRun {
	out := model.JobRun{ID: r.ID, Job: r.Job, Kind: r.Kind, ScheduledAt: r.ScheduledAt.UTC(), StartedAt: r.StartedAt.UTC(),
		Status: r.Status, Note: r.Note}
	if r.FinishedAt.Valid {
		out.FinishedAt = r.FinishedAt.Time.UTC()
	}
	// A malformed counts column is shown as no counts rather than failing a listing.
	_ = json.Unmarshal([]byte(r.Counts), &out.Counts)
	return out
}

const jobRunColumns = `id, job, kind, scheduled_at, started_at, finished_at, status, counts, note`

// RecordJobRun inserts r and returns it with its ID. StartedAt defaults to
// now, Status to running and Kind to scheduled. A running run is inserted
// only if no other run of the same job is running (and started less than
// JobRunStale ago); otherwise nothing is written and the error is
// ErrConflict. The check and the insert are one statement, so two
// processes on one SQLite file cannot both start the job; on MySQL the
// scheduler also holds a per-job lock around it.
func (db *DB) RecordJobRun(ctx context.Context, r model.JobRun) (model.JobRun, error) {
	if r.StartedAt.IsZero() {
		r.StartedAt = db.now()
	}
	if r.Status == "" {
		r.Status = model.JobRunning
	}
	if r.Kind == "" {
		r.Kind = model.JobScheduled
	}
	r.Note = truncateNote(r.Note)
	counts, err := countsJSON(r.Counts)
	if err != nil {
		return r, fmt.Errorf("storage: record job run %s: %w", r.Job, err)
	}
	var finished any
	if !r.FinishedAt.IsZero() {
		finished = r.FinishedAt.UTC()
	}
	args := []any{r.Job, r.Kind, r.ScheduledAt.UTC(), r.StartedAt.UTC(), finished, r.Status, counts, r.Note}
	q := `INSERT INTO job_runs (job, kind, scheduled_at, started_at, finished_at, status, counts, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	if r.Status == model.JobRunning {
		from := ""
		if db.dialect == MySQL {
			from = "FROM DUAL"
		}
		q = `INSERT INTO job_runs (job, kind, scheduled_at, started_at, finished_at, status, counts, note)
			SELECT ?, ?, ?, ?, ?, ?, ?, ? ` + from + `
			WHERE NOT EXISTS (SELECT 1 FROM job_runs WHERE job = ? AND status = ? AND started_at > ?)`
		args = append(args, r.Job, model.JobRunning, r.StartedAt.Add(-model.JobRunStale).UTC())
	}
	res, err := db.wq(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return r, fmt.Errorf("storage: record job run %s: %w", r.Job, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return r, fmt.Errorf("storage: record job run %s: already running: %w", r.Job, model.ErrConflict)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return r, fmt.Errorf("storage: record job run %s: %w", r.Job, err)
	}
	return r, nil
}

// FinishJobRun stores r's outcome (Status, Counts, Note) and its finish
// time (FinishedAt, default now) on the row r.ID.
func (db *DB) FinishJobRun(ctx context.Context, r *model.JobRun) error {
	if r.FinishedAt.IsZero() {
		r.FinishedAt = db.now()
	}
	r.Note = truncateNote(r.Note)
	counts, err := countsJSON(r.Counts)
	if err != nil {
		return fmt.Errorf("storage: finish job run %d: %w", r.ID, err)
	}
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE job_runs SET finished_at = ?, status = ?, counts = ?, note = ? WHERE id = ?`,
		r.FinishedAt.UTC(), r.Status, counts, r.Note, r.ID)
	if err != nil {
		return fmt.Errorf("storage: finish job run %d: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: finish job run %d: %w", r.ID, model.ErrNotFound)
	}
	return nil
}

// LastJobRun returns the run of job with the latest scheduled time, or
// ErrNotFound if it never ran.
func (db *DB) LastJobRun(ctx context.Context, job string) (model.JobRun, error) {
	var row jobRunRow
	err := db.rq(ctx).GetContext(ctx, &row, `SELECT `+jobRunColumns+` FROM job_runs WHERE job = ?
		ORDER BY scheduled_at DESC, id DESC LIMIT 1`, job)
	if errors.Is(err, sql.ErrNoRows) {
		return model.JobRun{}, fmt.Errorf("storage: last run of %s: %w", job, model.ErrNotFound)
	}
	if err != nil {
		return model.JobRun{}, fmt.Errorf("storage: last run of %s: %w", job, err)
	}
	return row.run(), nil
}

// ListJobRuns returns the latest limit runs of job (of every job when job
// is empty), newest first. limit <= 0 means 50.
func (db *DB) ListJobRuns(ctx context.Context, job string, limit int) ([]model.JobRun, error) {
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT ` + jobRunColumns + ` FROM job_runs`
	var args []any
	if job != "" {
		q += ` WHERE job = ?`
		args = append(args, job)
	}
	q += ` ORDER BY started_at DESC, id DESC LIMIT ?`
	var rows []jobRunRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, append(args, limit)...); err != nil {
		return nil, fmt.Errorf("storage: list job runs: %w", err)
	}
	out := make([]model.JobRun, len(rows))
	for i, r := range rows {
		out[i] = r.run()
	}
	return out, nil
}

// InterruptJobRuns marks runs still running that started before before as
// failed with note: their process died. The scheduler calls it when it
// becomes the one instance running jobs.
func (db *DB) InterruptJobRuns(ctx context.Context, before time.Time, note string) (int64, error) {
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE job_runs SET status = ?, finished_at = ?, note = ?
		WHERE status = ? AND started_at < ?`, model.JobFailed, db.now().UTC(), truncateNote(note), model.JobRunning, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: interrupt job runs: %w", err)
	}
	return res.RowsAffected()
}

// PruneJobRuns deletes runs started before before and returns how many went.
func (db *DB) PruneJobRuns(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM job_runs WHERE started_at < ?`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: prune job runs: %w", err)
	}
	return res.RowsAffected()
}

func countsJSON(c map[string]int) (string, error) {
	if len(c) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(c)
	return string(b), err
}

// truncateNote keeps the first JobNoteMax characters of s, on a rune boundary.
func truncateNote(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if utf8.RuneCountInString(s) <= model.JobNoteMax {
		return s
	}
	r := []rune(s)
	return string(r[:model.JobNoteMax-1]) + "…"
}
