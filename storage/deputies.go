package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

type deputyRow struct {
	ID                int64          `db:"id"`
	Name              string         `db:"name"`
	Gender            string         `db:"gender"`
	Ethnicity         string         `db:"ethnicity"`
	BirthDate         sql.NullTime   `db:"birth_date"`
	Delegation        sql.NullString `db:"delegation"`
	Level             string         `db:"level"`
	Grassroots        bool           `db:"grassroots"`
	Occupation        string         `db:"occupation"`
	ProfessionalGroup string         `db:"professional_group"`
	Phone             sql.NullString `db:"phone"`
	Status            string         `db:"status"`
	TerminatedOn      sql.NullTime   `db:"terminated_on"`
	TerminationReason string         `db:"termination_reason"`
	OpenID            sql.NullString `db:"openid"`
	BoundAt           sql.NullTime   `db:"bound_at"`
	CreatedAt         time.Time      `db:"created_at"`
	UpdatedAt         time.Time      `db:"updated_at"`
}

func (r deputyRow) deputy() model.Deputy {
	return model.Deputy{
		ID: r.ID, Name: r.Name, Gender: r.Gender, Ethnicity: r.Ethnicity,
		BirthDate: timePtr(r.BirthDate), Delegation: r.Delegation.String, Level: r.Level,
		Grassroots: r.Grassroots, Occupation: r.Occupation, ProfessionalGroup: r.ProfessionalGroup,
		Phone: r.Phone.String, Status: r.Status, TerminatedOn: timePtr(r.TerminatedOn),
		TerminationReason: r.TerminationReason, OpenID: r.OpenID.String, BoundAt: timePtr(r.BoundAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// dateOnly keeps the calendar date of t at midnight UTC, so a DATE column
// reads back the same on both backends.
func dateOnly(t *time.Time) any {
	if t == nil {
		return nil
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

const deputySelect = `SELECT d.id, d.name, d.gender, d.ethnicity, d.birth_date, g.name AS delegation,
	d.level, d.grassroots, d.occupation, d.professional_group, d.phone, d.status,
	d.terminated_on, d.termination_reason, d.openid, d.bound_at, d.created_at, d.updated_at
	FROM deputies d LEFT JOIN delegations g ON g.id = d.delegation_id`

// CreateDeputy inserts d (its delegation and tags are created as needed)
// and sets d.ID. A phone or openid already taken gives ErrConflict.
func (db *DB) CreateDeputy(ctx context.Context, d *model.Deputy) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		return db.createDeputy(ctx, tx, d)
	})
}

func (db *DB) createDeputy(ctx context.Context, tx *sqlx.Tx, d *model.Deputy) error {
	delID, err := db.delegationID(ctx, tx, d.Delegation)
	if err != nil {
		return err
	}
	now := db.now().UTC()
	if d.Status == "" {
		d.Status = model.StatusActive
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO deputies (name, gender, ethnicity, birth_date, delegation_id,
		level, grassroots, occupation, professional_group, phone, status, terminated_on, termination_reason,
		openid, bound_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.Name, d.Gender, d.Ethnicity, dateOnly(d.BirthDate), delID, d.Level, d.Grassroots, d.Occupation,
		d.ProfessionalGroup, nullStr(d.Phone), d.Status, dateOnly(d.TerminatedOn), d.TerminationReason,
		nullStr(d.OpenID), nullTime(d.BoundAt), now, now)
	if isDuplicate(err) {
		return fmt.Errorf("storage: create deputy: %w", model.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("storage: create deputy: %w", err)
	}
	if d.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("storage: create deputy: %w", err)
	}
	d.CreatedAt, d.UpdatedAt = now, now
	return db.setTags(ctx, tx, d.ID, d.Tags)
}

// UpdateDeputy writes every field of d, including its tags.
func (db *DB) UpdateDeputy(ctx context.Context, d *model.Deputy) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		return db.updateDeputy(ctx, tx, d)
	})
}

func (db *DB) updateDeputy(ctx context.Context, tx *sqlx.Tx, d *model.Deputy) error {
	delID, err := db.delegationID(ctx, tx, d.Delegation)
	if err != nil {
		return err
	}
	now := db.now().UTC()
	res, err := tx.ExecContext(ctx, `UPDATE deputies SET name = ?, gender = ?, ethnicity = ?, birth_date = ?,
		delegation_id = ?, level = ?, grassroots = ?, occupation = ?, professional_group = ?, phone = ?,
		status = ?, terminated_on = ?, termination_reason = ?, updated_at = ? WHERE id = ?`,
		d.Name, d.Gender, d.Ethnicity, dateOnly(d.BirthDate), delID, d.Level, d.Grassroots, d.Occupation,
		d.ProfessionalGroup, nullStr(d.Phone), d.Status, dateOnly(d.TerminatedOn), d.TerminationReason, now, d.ID)
	if isDuplicate(err) {
		return fmt.Errorf("storage: update deputy %d: %w", d.ID, model.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("storage: update deputy %d: %w", d.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// MySQL reports 0 for an unchanged row; check it exists.
		var one int
		if err := tx.GetContext(ctx, &one, `SELECT 1 FROM deputies WHERE id = ?`, d.ID); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("storage: update deputy %d: %w", d.ID, model.ErrNotFound)
		}
	}
	d.UpdatedAt = now
	return db.setTags(ctx, tx, d.ID, d.Tags)
}

// delegationID returns the id of the named delegation, creating it if new;
// an empty name is NULL.
func (db *DB) delegationID(ctx context.Context, tx *sqlx.Tx, name string) (any, error) {
	if name == "" {
		return nil, nil
	}
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM delegations WHERE name = ?`, name)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("storage: delegation: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO delegations (name, created_at) VALUES (?, ?)`, name, db.now().UTC())
	if err != nil {
		return nil, fmt.Errorf("storage: create delegation: %w", err)
	}
	return res.LastInsertId()
}

// setTags replaces the deputy's tags, creating tag rows as needed.
func (db *DB) setTags(ctx context.Context, tx *sqlx.Tx, deputyID int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM deputy_tags WHERE deputy_id = ?`, deputyID); err != nil {
		return fmt.Errorf("storage: tags: %w", err)
	}
	for _, name := range tags {
		if _, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO tags (name) VALUES (?)`, name); err != nil {
			return fmt.Errorf("storage: create tag: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO deputy_tags (deputy_id, tag_id)
			SELECT ?, id FROM tags WHERE name = ?`, deputyID, name); err != nil {
			return fmt.Errorf("storage: tag deputy: %w", err)
		}
	}
	return nil
}

// GetDeputy returns the deputy with id, or ErrNotFound.
func (db *DB) GetDeputy(ctx context.Context, id int64) (model.Deputy, error) {
	return db.getDeputy(ctx, `d.id = ?`, id)
}

// GetDeputyByOpenID returns the deputy bound to openid, or ErrNotFound.
func (db *DB) GetDeputyByOpenID(ctx context.Context, openid string) (model.Deputy, error) {
	m := memoOf(ctx)
	if m != nil {
		if d, ok := m.deputy(openid); ok {
			return d, nil
		}
	}
	d, err := db.getDeputy(ctx, `d.openid = ?`, openid)
	if err == nil && m != nil {
		m.keepDeputy(ctx, openid, d)
	}
	return d, err
}

// GetDeputyByPhone returns the deputy with that phone, or ErrNotFound.
func (db *DB) GetDeputyByPhone(ctx context.Context, phone string) (model.Deputy, error) {
	return db.getDeputy(ctx, `d.phone = ?`, phone)
}

// deputyWithTags reads one deputy and their tags in one statement: a row
// per tag (one with a NULL tag when they have none), in tagsOf's order.
// Every chat message reads its deputy, so this is one round trip less per
// message than a second query for the tags.
const deputyWithTags = deputyTagColumns + deputyTagFrom

const deputyTagColumns = `SELECT d.id, d.name, d.gender, d.ethnicity, d.birth_date, g.name AS delegation,
	d.level, d.grassroots, d.occupation, d.professional_group, d.phone, d.status,
	d.terminated_on, d.termination_reason, d.openid, d.bound_at, d.created_at, d.updated_at, t.name AS tag`

const deputyTagFrom = `
	FROM deputies d LEFT JOIN delegations g ON g.id = d.delegation_id
	LEFT JOIN deputy_tags dt ON dt.deputy_id = d.id LEFT JOIN tags t ON t.id = dt.tag_id`

// getDeputy returns the one deputy where (a condition on d) holds, with
// their tags.
func (db *DB) getDeputy(ctx context.Context, where string, arg any) (model.Deputy, error) {
	var rows []struct {
		deputyRow
		Tag sql.NullString `db:"tag"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, deputyWithTags+` WHERE `+where+` ORDER BY t.name`, arg); err != nil {
		return model.Deputy{}, fmt.Errorf("storage: deputy: %w", err)
	}
	if len(rows) == 0 {
		return model.Deputy{}, fmt.Errorf("storage: deputy: %w", model.ErrNotFound)
	}
	d := rows[0].deputy()
	for _, r := range rows {
		if r.Tag.Valid {
			d.Tags = append(d.Tags, r.Tag.String)
		}
	}
	return d, nil
}

// GetChatDeputies returns, for each openid in order, the deputy bound to
// it (DeputyID 0 when none), whether their term has ended and whether a
// conversation is under way, with one query for all: the quick path's
// read-only commands of the callbacks that arrive while one read is under
// way share the next. Only what decides whether the quick path answers:
// no join, no sort.
func (db *DB) GetChatDeputies(ctx context.Context, openids []string) ([]model.ChatDeputy, error) {
	q, args, err := sqlx.In(`SELECT d.id, d.openid, d.status,
		(SELECT COUNT(*) FROM conversations c WHERE c.openid = d.openid) AS conversations
		FROM deputies d WHERE d.openid IN (?)`, openids)
	if err != nil {
		return nil, fmt.Errorf("storage: chat deputies: %w", err)
	}
	var rows []struct {
		ID            int64  `db:"id"`
		OpenID        string `db:"openid"`
		Status        string `db:"status"`
		Conversations int    `db:"conversations"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: chat deputies: %w", err)
	}
	byOpenID := make(map[string]model.ChatDeputy, len(rows))
	for _, r := range rows {
		byOpenID[r.OpenID] = model.ChatDeputy{DeputyID: r.ID, Ended: r.Status == model.StatusEnded, InConversation: r.Conversations > 0}
	}
	out := make([]model.ChatDeputy, len(openids))
	for i, o := range openids {
		out[i] = byOpenID[o]
	}
	return out, nil
}

// FindDeputiesByName returns the deputies called name (all statuses).
func (db *DB) FindDeputiesByName(ctx context.Context, name string) ([]model.Deputy, error) {
	var rows []deputyRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, deputySelect+` WHERE d.name = ? ORDER BY d.id`, name); err != nil {
		return nil, fmt.Errorf("storage: find deputies: %w", err)
	}
	return db.withTags(ctx, rows)
}

func (db *DB) tagsOf(ctx context.Context, q sqlx.QueryerContext, ids []int64) (map[int64][]string, error) {
	out := make(map[int64][]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	text, args, err := sqlx.In(`SELECT dt.deputy_id, t.name FROM deputy_tags dt JOIN tags t ON t.id = dt.tag_id
		WHERE dt.deputy_id IN (?) ORDER BY t.name`, ids)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = append(out[id], name)
	}
	return out, rows.Err()
}

func (db *DB) withTags(ctx context.Context, rows []deputyRow) ([]model.Deputy, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	tags, err := db.tagsOf(ctx, db.rq(ctx), ids)
	if err != nil {
		return nil, err
	}
	out := make([]model.Deputy, len(rows))
	for i, r := range rows {
		out[i] = r.deputy()
		out[i].Tags = tags[r.ID]
	}
	return out, nil
}

func escapeLike(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return r.Replace(s)
}

// ListDeputies returns one page of deputies matching f, ordered by id,
// and how many match in all.
func (db *DB) ListDeputies(ctx context.Context, f model.DeputyFilter) ([]model.Deputy, int, error) {
	where, args := whereDeputyFilter(f)
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM deputies d
		LEFT JOIN delegations g ON g.id = d.delegation_id`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count deputies: %w", err)
	}
	q := deputySelect + where + ` ORDER BY d.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0))
	}
	var rows []deputyRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: list deputies: %w", err)
	}
	out, err := db.withTags(ctx, rows)
	return out, total, err
}

// TerminateDeputy ends a deputy's term on date for reason and unbinds
// nothing: the binding stays so history remains attributable, but pushes
// skip terminated deputies.
func (db *DB) TerminateDeputy(ctx context.Context, id int64, on time.Time, reason string) error {
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE deputies SET status = ?, terminated_on = ?, termination_reason = ?,
		updated_at = ? WHERE id = ?`, model.StatusEnded, dateOnly(&on), reason, db.now().UTC(), id)
	if err != nil {
		return fmt.Errorf("storage: terminate deputy %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: terminate deputy %d: %w", id, model.ErrNotFound)
	}
	return nil
}

// ListDelegations returns every delegation with counts, by name.
func (db *DB) ListDelegations(ctx context.Context) ([]model.Delegation, error) {
	var out []model.Delegation
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT g.id, g.name, COUNT(d.id) AS total,
		COALESCE(SUM(CASE WHEN d.openid IS NOT NULL THEN 1 ELSE 0 END), 0) AS bound,
		COALESCE(SUM(CASE WHEN d.status = 'active' THEN 1 ELSE 0 END), 0) AS current
		FROM delegations g LEFT JOIN deputies d ON d.delegation_id = g.id
		GROUP BY g.id, g.name ORDER BY g.name`)
	if err != nil {
		return nil, fmt.Errorf("storage: list delegations: %w", err)
	}
	return out, nil
}

// ListTags returns every tag name in use, sorted.
func (db *DB) ListTags(ctx context.Context) ([]string, error) {
	var out []string
	if err := db.rq(ctx).SelectContext(ctx, &out, `SELECT name FROM tags ORDER BY name`); err != nil {
		return nil, fmt.Errorf("storage: list tags: %w", err)
	}
	sort.Strings(out)
	return out, nil
}

// CountDeputies returns how many deputies there are and how many are bound.
func (db *DB) CountDeputies(ctx context.Context) (total, bound int, err error) {
	err = db.rq(ctx).QueryRowxContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN openid IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM deputies`).Scan(&total, &bound)
	if err != nil {
		return 0, 0, fmt.Errorf("storage: count deputies: %w", err)
	}
	return total, bound, nil
}

func whereDeputyFilter(f model.DeputyFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if f.Delegation != "" {
		add(`g.name = ?`, f.Delegation)
	}
	if f.Level != "" {
		add(`d.level = ?`, f.Level)
	}
	if f.Grassroots != nil {
		add(`d.grassroots = ?`, *f.Grassroots)
	}
	if f.ProfessionalGroup != "" {
		add(`d.professional_group = ?`, f.ProfessionalGroup)
	}
	if f.Tag != "" {
		add(`d.id IN (SELECT dt.deputy_id FROM deputy_tags dt JOIN tags t ON t.id = dt.tag_id WHERE t.name = ?)`, f.Tag)
	}
	if f.Status != "" {
		add(`d.status = ?`, f.Status)
	}
	if f.Bound != nil {
		if *f.Bound {
			add(`d.openid IS NOT NULL`)
		} else {
			add(`d.openid IS NULL`)
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(q) + "%"
		add(`(d.name LIKE ? ESCAPE '!' OR d.phone LIKE ? ESCAPE '!')`, like, like)
	}
	if f.AfterID > 0 {
		add(`d.id > ?`, f.AfterID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}
