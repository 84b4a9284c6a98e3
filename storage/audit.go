package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// AuditEntry is one line of the audit log: who changed what, when. Summary
// never holds phone numbers or message texts.
type AuditEntry struct {
	ID        int64
	At        time.Time
	StaffID   int64  // 0 for the command line or the system
	StaffName string // as it was at the time
	Action    string // e.g. deputy.update
	Object    string // e.g. deputy/42
	Summary   string
}

type auditRow struct {
	ID        int64         `db:"id"`
	At        time.Time     `db:"at"`
	StaffID   sql.NullInt64 `db:"staff_id"`
	StaffName string        `db:"staff_name"`
	Action    string        `db:"action"`
	Object    string        `db:"object"`
	Summary   string        `db:"summary"`
}

// AddAudit appends e to the audit log and sets its ID and At.
func (db *DB) AddAudit(ctx context.Context, e *AuditEntry) error {
	e.At = db.now().UTC()
	var staff any
	if e.StaffID > 0 {
		staff = e.StaffID
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO audit_log (at, staff_id, staff_name, action, object, summary)
		VALUES (?, ?, ?, ?, ?, ?)`, e.At, staff, clip(e.StaffName, 100), clip(e.Action, 64), clip(e.Object, 200), clip(e.Summary, 2000))
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

// AuditFilter selects audit entries. Zero values match all.
type AuditFilter struct {
	StaffID       int64
	Action        string // an exact action, or a prefix ending in "." (deputy.)
	Since, Until  time.Time
	Limit, Offset int   // Limit 0 means all
	BeforeID      int64 // keyset paging for exports: ids smaller than this
}

func (f AuditFilter) where() (string, []any) {
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

// ListAudit returns one page of audit entries matching f, newest first,
// and how many match in all.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error) {
	where, args := f.where()
	var total int
	if err := db.r.GetContext(ctx, &total, `SELECT COUNT(*) FROM audit_log`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count audit: %w", err)
	}
	q := `SELECT id, at, staff_id, staff_name, action, object, summary FROM audit_log` + where + ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0))
	}
	var rows []auditRow
	if err := db.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: list audit: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{ID: r.ID, At: r.At.UTC(), StaffID: r.StaffID.Int64, StaffName: r.StaffName,
			Action: r.Action, Object: r.Object, Summary: r.Summary}
	}
	return out, total, nil
}
