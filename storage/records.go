package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"strings"
	"time"
)

type recordEntryRow struct {
	ID          int64          `db:"id"`
	DeputyID    int64          `db:"deputy_id"`
	DeputyName  sql.NullString `db:"deputy_name"`
	Delegation  sql.NullString `db:"delegation"`
	Category    string         `db:"category"`
	HappenedOn  time.Time      `db:"happened_on"`
	Place       string         `db:"place"`
	Description string         `db:"description"`
	Status      string         `db:"status"`
	ReviewNote  string         `db:"review_note"`
	ReviewedBy  string         `db:"reviewed_by"`
	ReviewedAt  sql.NullTime   `db:"reviewed_at"`
	Channel     string         `db:"channel"`
	CreatedAt   time.Time      `db:"created_at"`
}

func (r recordEntryRow) entry() model.RecordEntry {
	y, m, d := r.HappenedOn.UTC().Date()
	return model.RecordEntry{ID: r.ID, DeputyID: r.DeputyID, DeputyName: r.DeputyName.String, Delegation: r.Delegation.String,
		Category: r.Category, HappenedOn: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Place: r.Place,
		Description: r.Description, Status: r.Status, ReviewNote: r.ReviewNote, ReviewedBy: r.ReviewedBy,
		ReviewedAt: timePtr(r.ReviewedAt), Channel: r.Channel, CreatedAt: r.CreatedAt.UTC()}
}

const recordEntrySelect = `SELECT e.id, e.deputy_id, d.name AS deputy_name, g.name AS delegation, e.category,
	e.happened_on, e.place, e.description, e.status, e.review_note, e.reviewed_by, e.reviewed_at, e.channel, e.created_at
	FROM record_entries e LEFT JOIN deputies d ON d.id = e.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id`

// CreateRecordEntry stores e as pending and sets its ID, Status and
// CreatedAt. A missing deputy gives ErrNotFound.
func (db *DB) CreateRecordEntry(ctx context.Context, e *model.RecordEntry) error {
	e.Status, e.CreatedAt = model.EntryPending, db.now().UTC()
	if e.Channel == "" {
		e.Channel = "wechat"
	}
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO record_entries (deputy_id, category, happened_on, place, description,
		status, channel, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.DeputyID, e.Category, dateOnly(&e.HappenedOn),
		e.Place, e.Description, e.Status, e.Channel, e.CreatedAt)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("storage: create record entry: deputy %d: %w", e.DeputyID, model.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: create record entry: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

// GetRecordEntry returns the entry with id, or ErrNotFound.
func (db *DB) GetRecordEntry(ctx context.Context, id int64) (model.RecordEntry, error) {
	var r recordEntryRow
	err := db.wq(ctx).GetContext(ctx, &r, recordEntrySelect+` WHERE e.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return model.RecordEntry{}, fmt.Errorf("storage: record entry %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return model.RecordEntry{}, fmt.Errorf("storage: record entry %d: %w", id, err)
	}
	return r.entry(), nil
}

// ListRecordEntries returns one page of entries matching f, oldest
// submission first, and how many match in all.
func (db *DB) ListRecordEntries(ctx context.Context, f model.RecordEntryFilter) ([]model.RecordEntry, int, error) {
	where, args := whereRecordEntryFilter(f)
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM record_entries e`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count record entries: %w", err)
	}
	q := recordEntrySelect + where + ` ORDER BY e.created_at, e.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0))
	}
	var rows []recordEntryRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: list record entries: %w", err)
	}
	out := make([]model.RecordEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, total, nil
}

// ReviewRecordEntry approves or rejects a pending entry (status is
// EntryApproved or EntryRejected). A missing entry gives ErrNotFound, one
// already reviewed ErrConflict: two staff reviewing at once cannot both win.
func (db *DB) ReviewRecordEntry(ctx context.Context, id int64, status, note, reviewer string) error {
	if status != model.EntryApproved && status != model.EntryRejected {
		return fmt.Errorf("storage: review record entry %d: bad status %q", id, status)
	}
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE record_entries SET status = ?, review_note = ?, reviewed_by = ?, reviewed_at = ?
		WHERE id = ? AND status = ?`, status, clip(note, 500), clip(reviewer, 100), db.now().UTC(), id, model.EntryPending)
	if err != nil {
		return fmt.Errorf("storage: review record entry %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, err := db.GetRecordEntry(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("storage: review record entry %d: already reviewed: %w", id, model.ErrConflict)
}

// recordSources reads each kind of event; each query takes the scope's
// condition and then the window [from, to).
var recordSources = []struct {
	kind, q, deputyCol string
	dates              bool // the window is on a DATE column
}{
	{model.EventAttend, `SELECT i.deputy_id, 'attend' AS kind, m.kind AS sub, m.starts_at AS at, m.title, m.place, m.id AS ref
		FROM invitations i JOIN meetings m ON m.id = i.meeting_id
		WHERE i.attended = 1 AND %s AND m.starts_at >= ? AND m.starts_at < ?`, "i.deputy_id", false},
	{model.EventRSVP, `SELECT i.deputy_id, 'rsvp' AS kind, i.status AS sub, i.answered_at AS at, m.title, m.place, m.id AS ref
		FROM invitations i JOIN meetings m ON m.id = i.meeting_id
		WHERE i.status <> 'pending' AND i.answered_at IS NOT NULL AND %s AND i.answered_at >= ? AND i.answered_at < ?`, "i.deputy_id", false},
	{model.EventStudy, `SELECT s.deputy_id, 'study' AS kind, '' AS sub, s.studied_at AS at, m.title, '' AS place, m.id AS ref
		FROM material_studies s JOIN materials m ON m.id = s.material_id
		WHERE %s AND s.studied_at >= ? AND s.studied_at < ?`, "s.deputy_id", false},
	{model.EventOpinion, `SELECT o.deputy_id, 'opinion' AS kind, o.category AS sub, o.created_at AS at, o.receipt AS title,
		'' AS place, o.id AS ref FROM opinions o WHERE %s AND o.created_at >= ? AND o.created_at < ?`, "o.deputy_id", false},
	{model.EventSuggestion, `SELECT sd.deputy_id, 'suggestion' AS kind, sd.role AS sub, s.created_at AS at, s.title, '' AS place,
		s.id AS ref FROM suggestion_deputies sd JOIN suggestions s ON s.id = sd.suggestion_id
		WHERE ` + inHandling + ` AND %s AND s.created_at >= ? AND s.created_at < ?`, "sd.deputy_id", false},
	{model.EventRating, `SELECT r.deputy_id, 'rating' AS kind, '' AS sub, r.rated_at AS at, s.title, '' AS place, s.id AS ref
		FROM suggestion_ratings r JOIN suggestions s ON s.id = r.suggestion_id
		WHERE %s AND r.rated_at >= ? AND r.rated_at < ?`, "r.deputy_id", false},
	{model.EventEntry, `SELECT e.deputy_id, 'entry' AS kind, e.category AS sub, e.happened_on AS at, e.description AS title,
		e.place, e.id AS ref FROM record_entries e
		WHERE e.status = 'approved' AND %s AND e.happened_on >= ? AND e.happened_on < ?`, "e.deputy_id", true},
}

// RecordFacts returns the facts of the scope in [from, to), oldest first.
// Self-reported entries count only once approved; their At is the day they
// happened (midnight UTC), the others' the moment they were recorded.
func (db *DB) RecordFacts(ctx context.Context, scope model.RecordScope, from, to time.Time) ([]model.RecordFact, error) {
	var out []model.RecordFact
	for _, src := range recordSources {
		cond, args := condRecordScope(scope, src.deputyCol)
		lo, hi := any(from.UTC()), any(to.UTC())
		if src.dates {
			lo, hi = dateOnly(&from), dateOnly(&to)
		}
		var rows []model.RecordFact
		if err := db.rq(ctx).SelectContext(ctx, &rows, fmt.Sprintf(src.q, cond), append(args, lo, hi)...); err != nil {
			return nil, fmt.Errorf("storage: record facts (%s): %w", src.kind, err)
		}
		for i := range rows {
			rows[i].At = rows[i].At.UTC()
		}
		out = append(out, rows...)
	}
	return out, nil
}

// RecordEntryCounts counts the scope's self-reports that happened in
// [from, to) by deputy and review status.
func (db *DB) RecordEntryCounts(ctx context.Context, scope model.RecordScope, from, to time.Time) (map[int64]map[string]int, error) {
	cond, args := condRecordScope(scope, "e.deputy_id")
	rows, err := db.rq(ctx).QueryContext(ctx, `SELECT e.deputy_id, e.status, COUNT(*) FROM record_entries e
		WHERE `+cond+` AND e.happened_on >= ? AND e.happened_on < ? GROUP BY e.deputy_id, e.status`,
		append(args, dateOnly(&from), dateOnly(&to))...)
	if err != nil {
		return nil, fmt.Errorf("storage: record entry counts: %w", err)
	}
	defer rows.Close()
	out := map[int64]map[string]int{}
	for rows.Next() {
		var id int64
		var status string
		var n int
		if err := rows.Scan(&id, &status, &n); err != nil {
			return nil, fmt.Errorf("storage: record entry counts: %w", err)
		}
		if out[id] == nil {
			out[id] = map[string]int{}
		}
		out[id][status] = n
	}
	return out, rows.Err()
}

func whereRecordEntryFilter(f model.RecordEntryFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if f.DeputyID > 0 {
		add(`e.deputy_id = ?`, f.DeputyID)
	}
	if f.Status != "" {
		add(`e.status = ?`, f.Status)
	}
	if f.From != nil {
		add(`e.happened_on >= ?`, dateOnly(f.From))
	}
	if f.To != nil {
		add(`e.happened_on < ?`, dateOnly(f.To))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func condRecordScope(s model.RecordScope, col string) (string, []any) {
	if s.DeputyID > 0 {
		return col + ` = ?`, []any{s.DeputyID}
	}
	return col + ` IN (SELECT d.id FROM deputies d JOIN delegations g ON g.id = d.delegation_id WHERE g.name = ?)`,
		[]any{s.Delegation}
}
