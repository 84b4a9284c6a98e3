package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"strings"
)

const assignmentSelect = `SELECT a.opinion_id, o.receipt, a.staff_id,
	COALESCE(NULLIF(s.name, ''), s.username, '') AS staff_name, a.assigned_by, a.assigned_at
	FROM opinion_assignments a JOIN opinions o ON o.id = a.opinion_id LEFT JOIN staff s ON s.id = a.staff_id`

// AssignOpinion gives the opinion to the staff account, replacing any
// earlier assignee. A missing opinion or account gives ErrNotFound.
func (db *DB) AssignOpinion(ctx context.Context, opinionID, staffID int64, by string) error {
	upsert := `INSERT INTO opinion_assignments (opinion_id, staff_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (opinion_id) DO UPDATE SET staff_id = excluded.staff_id, assigned_by = excluded.assigned_by,
		assigned_at = excluded.assigned_at`
	if db.dialect == MySQL {
		upsert = `INSERT INTO opinion_assignments (opinion_id, staff_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE staff_id = VALUES(staff_id), assigned_by = VALUES(assigned_by), assigned_at = VALUES(assigned_at)`
	}
	_, err := db.wq(ctx).ExecContext(ctx, upsert, opinionID, staffID, by, db.now().UTC())
	if isForeignKeyViolation(err) {
		return fmt.Errorf("storage: assign opinion %d to %d: %w", opinionID, staffID, model.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: assign opinion %d to %d: %w", opinionID, staffID, err)
	}
	return nil
}

// GetOpinionAssignment returns who looks after the opinion, or ErrNotFound
// when nobody does.
func (db *DB) GetOpinionAssignment(ctx context.Context, opinionID int64) (model.OpinionAssignment, error) {
	var a model.OpinionAssignment
	err := db.rq(ctx).GetContext(ctx, &a, assignmentSelect+` WHERE a.opinion_id = ?`, opinionID)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("storage: assignment of opinion %d: %w", opinionID, model.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("storage: assignment of opinion %d: %w", opinionID, err)
	}
	a.AssignedAt = a.AssignedAt.UTC()
	return a, nil
}

// OpinionAssignments returns the assignments of the given opinions, by
// opinion id; unassigned ones are absent.
func (db *DB) OpinionAssignments(ctx context.Context, opinionIDs []int64) (map[int64]model.OpinionAssignment, error) {
	out := map[int64]model.OpinionAssignment{}
	if len(opinionIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(opinionIDs))
	for i, id := range opinionIDs {
		args[i] = id
	}
	q := assignmentSelect + ` WHERE a.opinion_id IN (?` + strings.Repeat(`, ?`, len(args)-1) + `)`
	var rows []model.OpinionAssignment
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: opinion assignments: %w", err)
	}
	for _, a := range rows {
		a.AssignedAt = a.AssignedAt.UTC()
		out[a.OpinionID] = a
	}
	return out, nil
}

// AssignedOpinionsCond is the condition (and its argument) that keeps the
// opinions (aliased o) assigned to staffID, for the inbox's filter.
func AssignedOpinionsCond(staffID int64) (string, any) {
	return `o.id IN (SELECT opinion_id FROM opinion_assignments WHERE staff_id = ?)`, staffID
}
