package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"fmt"
	"strings"
	"time"
)

type auditRow struct {
	ID        int64         `db:"id"`
	At        time.Time     `db:"at"`
	StaffID   sql.NullInt64 `db:"staff_id"`
	StaffName string        `db:"staff_name"`
	Via       string        `db:"via"`
	Action    string        `db:"action"`
	Object    string        `db:"object"`
	Summary   string        `db:"summary"`
}

// AddAudit appends e to the audit log and sets its ID and At.
func (db *DB) AddAudit(ctx context.Context, e *model.AuditEntry) error {
	e.At = db.now().UTC()
	var staff any
	if e.StaffID > 0 {
		staff = e.StaffID
	}
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO audit_log (at, staff_id, staff_name, via, action, object, summary)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.At, staff, clip(e.StaffName, 100), clip(e.Via, 16), clip(e.Action, 64), clip(e.Object, 200), clip(e.Summary, 2000))
	if err != nil {
		return fmt.Errorf("storage: add audit: %w", err)
	}
	e.ID, _ = res.LastInsertId()
	return nil
}

// clip cuts s to at most n characters, so a long summary is stored
// shortened rather than refused.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// ListAudit returns one page of audit entries matching f, newest first,
// and how many match in all.
func (db *DB) ListAudit(ctx context.Context, f model.AuditFilter) ([]model.AuditEntry, int, error) {
	where, args := whereAuditFilter(f)
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM audit_log`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count audit: %w", err)
	}
	q := `SELECT id, at, staff_id, staff_name, via, action, object, summary FROM audit_log` + where + ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0))
	}
	var rows []auditRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: list audit: %w", err)
	}
	out := make([]model.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = model.AuditEntry{ID: r.ID, At: r.At.UTC(), StaffID: r.StaffID.Int64, StaffName: r.StaffName, Via: r.Via,
			Action: r.Action, Object: r.Object, Summary: r.Summary}
	}
	return out, total, nil
}

func whereAuditFilter(f model.AuditFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if f.StaffID > 0 {
		add(`staff_id = ?`, f.StaffID)
	}
	if strings.HasSuffix(f.Action, ".") {
		add(`action LIKE ? ESCAPE '!'`, escapeLike(f.Action)+"%")
	} else if f.Action != "" {
		add(`action = ?`, f.Action)
	}
	if !f.Since.IsZero() {
		add(`at >= ?`, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		add(`at < ?`, f.Until.UTC())
	}
	if f.BeforeID > 0 {
		add(`id < ?`, f.BeforeID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}
