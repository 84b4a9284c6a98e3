package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

const materialColumns = `m.id, m.title, m.summary, m.link, m.body, m.category, m.video_link, m.status, m.created_by,
	m.published_at, m.created_at, m.updated_at, m.archived_at`

// CreateMaterial inserts m and sets its ID and CreatedAt. An empty Status
// means published; a zero PublishedAt means now.
func (db *DB) CreateMaterial(ctx context.Context, m *model.Material) error {
	now := db.now().UTC()
	if m.PublishedAt.IsZero() {
		m.PublishedAt = now
	}
	if m.Status == "" {
		m.Status = model.MaterialPublished
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO materials (title, summary, link, body, category, video_link, status,
			created_by, published_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.Title, m.Summary, m.Link, m.Body,
			m.Category, m.VideoLink, m.Status, m.CreatedBy, m.PublishedAt.UTC(), now)
		if err != nil {
			return err
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		m.PublishedAt = m.PublishedAt.UTC()
		if err := db.indexMaterial(ctx, tx, m); err != nil {
			return err
		}
		return setAttachments(ctx, tx, m.ID, m.AttachmentIDs())
	})
	if err != nil {
		return fmt.Errorf("storage: create material: %w", err)
	}
	m.PublishedAt, m.CreatedAt = m.PublishedAt.UTC(), now
	return nil
}

// UpdateMaterial writes m's content (title to attachments) and its
// status and publication time.
func (db *DB) UpdateMaterial(ctx context.Context, m *model.Material) error {
	now := db.now().UTC()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var old model.Material
		if err := tx.GetContext(ctx, &old, `SELECT `+materialColumns+` FROM materials m WHERE m.id = ?`, m.ID); errors.Is(err, sql.ErrNoRows) {
			return model.ErrNotFound
		} else if err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE materials SET title = ?, summary = ?, link = ?, body = ?, category = ?,
			video_link = ?, status = ?, published_at = ?, archived_at = ?, updated_at = ? WHERE id = ?`, m.Title, m.Summary,
			m.Link, m.Body, m.Category, m.VideoLink, m.Status, m.PublishedAt.UTC(), m.ArchivedAt, now, m.ID)
		if err != nil {
			return err
		}
		if err := db.reindexMaterial(ctx, tx, old, m); err != nil {
			return err
		}
		return setAttachments(ctx, tx, m.ID, m.AttachmentIDs())
	})
	if err != nil {
		return fmt.Errorf("storage: update material %d: %w", m.ID, err)
	}
	m.UpdatedAt = sql.NullTime{Time: now, Valid: true}
	return nil
}

func setAttachments(ctx context.Context, tx *sqlx.Tx, materialID int64, fileIDs []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM material_attachments WHERE material_id = ?`, materialID); err != nil {
		return err
	}
	for i, id := range fileIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO material_attachments (material_id, file_id, seq) VALUES (?, ?, ?)`,
			materialID, id, i); err != nil {
			return err
		}
	}
	return nil
}

// GetMaterial returns the material with id, in any status, with its
// attachments, or ErrNotFound.
func (db *DB) GetMaterial(ctx context.Context, id int64) (model.Material, error) {
	var m model.Material
	err := db.rq(ctx).GetContext(ctx, &m, `SELECT `+materialColumns+` FROM materials m WHERE m.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Material{}, fmt.Errorf("storage: material %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return model.Material{}, fmt.Errorf("storage: material %d: %w", id, err)
	}
	m = utcMaterial(m)
	var files []model.File
	if err := db.rq(ctx).SelectContext(ctx, &files, `SELECT f.id, f.name, f.size, f.sha256, f.content_type, f.created_by,
		f.created_at FROM material_attachments a JOIN files f ON f.id = a.file_id WHERE a.material_id = ? ORDER BY a.seq`, id); err != nil {
		return m, fmt.Errorf("storage: material %d attachments: %w", id, err)
	}
	for i := range files {
		files[i].CreatedAt = files[i].CreatedAt.UTC()
	}
	m.Attachments = files
	return m, nil
}

// ListMaterials returns one page of the materials f selects, with how many
// deputies studied each, and how many match in all: a search (through the
// index, material_search.go) ranks title matches first, then summary,
// then body, the latest published first within each.
func (db *DB) ListMaterials(ctx context.Context, f model.MaterialFilter, now time.Time) ([]model.MaterialRow, int, error) {
	// The same conditions on materials m and on the search index's copy of
	// it (its time in microseconds).
	var conds, sconds []string
	var args, sargs []any
	switch f.Status {
	case "":
	case "scheduled":
		conds, args = append(conds, `m.status = ? AND m.published_at > ?`), append(args, model.MaterialPublished, now.UTC())
		sconds, sargs = append(sconds, `m.status = ? AND m.published_us > ?`), append(sargs, model.MaterialPublished, now.UnixMicro())
	default:
		conds, args = append(conds, `m.status = ?`), append(args, f.Status)
		sconds, sargs = append(sconds, `m.status = ?`), append(sargs, f.Status)
	}
	if f.Category != "" {
		conds, args = append(conds, `m.category = ?`), append(args, f.Category)
		sconds, sargs = append(sconds, `m.category = ?`), append(sargs, f.Category)
	}
	const cols = `SELECT ` + materialColumns + `, (SELECT COUNT(*) FROM material_studies s WHERE s.material_id = m.id) AS studied
		FROM materials m`
	var out []model.MaterialRow
	if q := strings.TrimSpace(f.Q); q != "" {
		page, total, err := db.searchMaterials(ctx, q, strings.Join(sconds, " AND "), sargs, f.Offset, f.Limit, true)
		if err != nil {
			return nil, 0, err
		}
		if len(page) == 0 {
			return nil, total, nil
		}
		for start := 0; start < len(page); start += 500 { // all of them when f.Limit is 0
			in, inArgs, err := sqlx.In(cols+` WHERE m.id IN (?)`, page[start:min(start+500, len(page))])
			if err != nil {
				return nil, 0, fmt.Errorf("storage: list materials: %w", err)
			}
			var part []model.MaterialRow
			if err := db.rq(ctx).SelectContext(ctx, &part, in, inArgs...); err != nil {
				return nil, 0, fmt.Errorf("storage: list materials: %w", err)
			}
			out = append(out, part...)
		}
		sortByIDs(out, page, func(r model.MaterialRow) int64 { return r.ID })
		for i := range out {
			out[i].Material = utcMaterial(out[i].Material)
		}
		return out, total, nil
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, " AND ")
	}
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM materials m`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count materials: %w", err)
	}
	q := cols + where + ` ORDER BY m.published_at DESC, m.id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0))
	}
	if err := db.rq(ctx).SelectContext(ctx, &out, q, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: list materials: %w", err)
	}
	for i := range out {
		out[i].Material = utcMaterial(out[i].Material)
	}
	return out, total, nil
}

// sortByIDs puts rows in the order of ids.
func sortByIDs[T any](rows []T, ids []int64, id func(T) int64) {
	at := make(map[int64]int, len(ids))
	for i, x := range ids {
		at[x] = i
	}
	slices.SortFunc(rows, func(a, b T) int { return at[id(a)] - at[id(b)] })
}

// LatestMaterials returns the limit most recently published materials
// deputies see (published by the database clock), newest first, each with
// whether the deputy has studied it.
func (db *DB) LatestMaterials(ctx context.Context, deputyID int64, limit int) ([]model.DeputyMaterial, error) {
	return db.DeputyMaterials(ctx, deputyID, "", limit)
}

// deputyMaterialRow is a material with one deputy's study mark and
// reading time, as read.
type deputyMaterialRow struct {
	model.Material
	StudiedAt sql.NullTime  `db:"studied_at"`
	Seconds   sql.NullInt64 `db:"seconds"`
}

// DeputyMaterials returns up to limit materials deputies see that hold q
// (all when q is empty), title matches first, then the newest, each with
// the deputy's study mark and reading time.
func (db *DB) DeputyMaterials(ctx context.Context, deputyID int64, q string, limit int) ([]model.DeputyMaterial, error) {
	var rows []deputyMaterialRow
	const cols = `SELECT ` + materialColumns + `, s.studied_at, r.seconds FROM materials m
		LEFT JOIN material_studies s ON s.material_id = m.id AND s.deputy_id = ?
		LEFT JOIN material_reads r ON r.material_id = m.id AND r.deputy_id = ?`
	visible, visibleArgs := `m.status = ? AND m.published_at <= ?`, []any{model.MaterialPublished, db.now().UTC()}
	if q = strings.TrimSpace(q); q != "" {
		page, _, err := db.searchMaterials(ctx, q, `m.status = ? AND m.published_us <= ?`,
			[]any{model.MaterialPublished, db.now().UnixMicro()}, 0, max(limit, 0), false)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return nil, nil
		}
		in, args, err := sqlx.In(cols+` WHERE m.id IN (?)`, deputyID, deputyID, page)
		if err != nil {
			return nil, fmt.Errorf("storage: deputy materials: %w", err)
		}
		if err := db.rq(ctx).SelectContext(ctx, &rows, in, args...); err != nil {
			return nil, fmt.Errorf("storage: deputy materials: %w", err)
		}
		sortByIDs(rows, page, func(r deputyMaterialRow) int64 { return r.ID })
	} else {
		err := db.rq(ctx).SelectContext(ctx, &rows, cols+` WHERE `+visible+` ORDER BY m.published_at DESC, m.id DESC LIMIT ?`,
			deputyID, deputyID, visibleArgs[0], visibleArgs[1], max(limit, 0))
		if err != nil {
			return nil, fmt.Errorf("storage: deputy materials: %w", err)
		}
	}
	out := make([]model.DeputyMaterial, len(rows))
	for i, r := range rows {
		out[i] = model.DeputyMaterial{Material: utcMaterial(r.Material), StudiedAt: timePtr(r.StudiedAt), ReadSeconds: int(r.Seconds.Int64)}
	}
	return out, nil
}

// DeputyMaterial returns one material with the deputy's study mark and
// reading time, whatever its status.
func (db *DB) DeputyMaterial(ctx context.Context, deputyID, materialID int64) (model.DeputyMaterial, error) {
	m, err := db.GetMaterial(ctx, materialID)
	if err != nil {
		return model.DeputyMaterial{}, err
	}
	var row struct {
		StudiedAt sql.NullTime  `db:"studied_at"`
		Seconds   sql.NullInt64 `db:"seconds"`
	}
	err = db.rq(ctx).GetContext(ctx, &row, `SELECT (SELECT studied_at FROM material_studies WHERE material_id = ? AND deputy_id = ?) AS studied_at,
		(SELECT seconds FROM material_reads WHERE material_id = ? AND deputy_id = ?) AS seconds`, materialID, deputyID, materialID, deputyID)
	if err != nil {
		return model.DeputyMaterial{}, fmt.Errorf("storage: material %d of deputy %d: %w", materialID, deputyID, err)
	}
	return model.DeputyMaterial{Material: m, StudiedAt: timePtr(row.StudiedAt), ReadSeconds: int(row.Seconds.Int64)}, nil
}

// MarkStudied records that the deputy studied a material deputies see;
// marking it again changes nothing and reports first == false. A missing,
// unpublished or not yet published material, or a missing deputy, gives
// ErrNotFound.
func (db *DB) MarkStudied(ctx context.Context, materialID, deputyID int64) (first bool, err error) {
	now := db.now().UTC()
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		// Checked here, not left to the foreign key: INSERT IGNORE would
		// turn a missing parent into a warning on MySQL.
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT (SELECT COUNT(*) FROM materials WHERE id = ? AND status = ? AND published_at <= ?)
			+ (SELECT COUNT(*) FROM deputies WHERE id = ?)`, materialID, model.MaterialPublished, now, deputyID); err != nil {
			return err
		}
		if n != 2 {
			return model.ErrNotFound
		}
		res, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO material_studies (material_id, deputy_id, studied_at)
			VALUES (?, ?, ?)`, materialID, deputyID, now)
		if err != nil {
			return err
		}
		added, err := res.RowsAffected()
		first = added > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("storage: mark material %d studied: %w", materialID, err)
	}
	return first, nil
}

// RecordMaterialOpen records that the deputy opened the material's page.
func (db *DB) RecordMaterialOpen(ctx context.Context, materialID, deputyID int64) error {
	now := db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE material_reads SET last_opened_at = ? WHERE material_id = ? AND deputy_id = ?`,
		now, materialID, deputyID)
	if err != nil {
		return fmt.Errorf("storage: material %d opened: %w", materialID, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = db.wq(ctx).ExecContext(ctx, db.insertIgnore()+` INTO material_reads (material_id, deputy_id, opened_at, last_opened_at, seconds)
		VALUES (?, ?, ?, ?, 0)`, materialID, deputyID, now, now)
	if err != nil {
		return fmt.Errorf("storage: material %d opened: %w", materialID, err)
	}
	return nil
}

// AddMaterialReading adds seconds of visible reading, the total capped at
// most; it returns the total.
func (db *DB) AddMaterialReading(ctx context.Context, materialID, deputyID int64, seconds, most int) (int, error) {
	if err := db.RecordMaterialOpen(ctx, materialID, deputyID); err != nil {
		return 0, err
	}
	if _, err := db.wq(ctx).ExecContext(ctx, `UPDATE material_reads SET seconds = CASE WHEN seconds + ? > ? THEN ? ELSE seconds + ? END
		WHERE material_id = ? AND deputy_id = ?`, seconds, most, most, seconds, materialID, deputyID); err != nil {
		return 0, fmt.Errorf("storage: material %d reading: %w", materialID, err)
	}
	var total int
	err := db.rq(ctx).GetContext(ctx, &total, `SELECT seconds FROM material_reads WHERE material_id = ? AND deputy_id = ?`, materialID, deputyID)
	return total, err
}

// MaterialStats counts a material's pushes sent, its page opened, its
// studies, and the average reading time of those who read it.
func (db *DB) MaterialStats(ctx context.Context, materialID int64) (model.MaterialStats, error) {
	var st model.MaterialStats
	var avg sql.NullFloat64
	err := db.rq(ctx).QueryRowxContext(ctx, `SELECT
		(SELECT COUNT(DISTINCT d.deputy_id) FROM deliveries d JOIN notices n ON n.id = d.notice_id
			WHERE n.ref_kind = 'material' AND n.ref_id = ? AND d.status IN (?, ?, ?)),
		(SELECT COUNT(*) FROM material_reads WHERE material_id = ?),
		(SELECT COUNT(*) FROM material_studies WHERE material_id = ?),
		(SELECT AVG(seconds) FROM material_reads WHERE material_id = ? AND seconds > 0)`,
		materialID, model.DeliverySent, model.DeliveryDelivered, model.DeliveryRead, materialID, materialID, materialID).
		Scan(&st.Sent, &st.Opened, &st.Studied, &avg)
	if err != nil {
		return st, fmt.Errorf("storage: material %d stats: %w", materialID, err)
	}
	st.AvgReadSeconds = int(avg.Float64 + 0.5)
	return st, nil
}

// MaterialCategories lists the categories staff choose from, in order.
func (db *DB) MaterialCategories(ctx context.Context) ([]string, error) {
	var out []string
	if err := db.rq(ctx).SelectContext(ctx, &out, `SELECT name FROM material_categories ORDER BY seq, name`); err != nil {
		return nil, fmt.Errorf("storage: material categories: %w", err)
	}
	return out, nil
}

// SetMaterialCategories replaces the list of categories.
func (db *DB) SetMaterialCategories(ctx context.Context, names []string) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM material_categories`); err != nil {
			return fmt.Errorf("storage: set material categories: %w", err)
		}
		for i, n := range names {
			if _, err := tx.ExecContext(ctx, `INSERT INTO material_categories (name, seq) VALUES (?, ?)`, n, i+1); err != nil {
				return fmt.Errorf("storage: set material categories: %w", err)
			}
		}
		return nil
	})
}

// StudyCounts returns how many deputies studied each of the given
// materials (every material when none is given); a material nobody studied
// is absent.
func (db *DB) StudyCounts(ctx context.Context, materialIDs ...int64) (map[int64]int, error) {
	q, args := `SELECT material_id, COUNT(*) FROM material_studies GROUP BY material_id`, []any(nil)
	if len(materialIDs) > 0 {
		var err error
		q, args, err = sqlx.In(`SELECT material_id, COUNT(*) FROM material_studies WHERE material_id IN (?)
			GROUP BY material_id`, materialIDs)
		if err != nil {
			return nil, fmt.Errorf("storage: study counts: %w", err)
		}
	}
	rows, err := db.rq(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: study counts: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("storage: study counts: %w", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: study counts: %w", err)
	}
	return out, nil
}

func utcMaterial(m model.Material) model.Material {
	m.PublishedAt, m.CreatedAt = m.PublishedAt.UTC(), m.CreatedAt.UTC()
	if m.UpdatedAt.Valid {
		m.UpdatedAt.Time = m.UpdatedAt.Time.UTC()
	}
	if m.ArchivedAt.Valid {
		m.ArchivedAt.Time = m.ArchivedAt.Time.UTC()
	}
	return m
}

// MaterialTitles reports which of the titles a material already has.
func (db *DB) MaterialTitles(ctx context.Context, titles []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(titles); start += 500 {
		q, args, err := sqlx.In(`SELECT title FROM materials WHERE title IN (?)`, titles[start:min(start+500, len(titles))])
		if err != nil {
			return nil, err
		}
		var found []string
		if err := db.rq(ctx).SelectContext(ctx, &found, q, args...); err != nil {
			return nil, fmt.Errorf("storage: material titles: %w", err)
		}
		for _, t := range found {
			out[t] = true
		}
	}
	return out, nil
}

// NextMaterialPerDeputy pairs up to limit bound deputies in office (with
// ids above afterID, in order) with the oldest material deputies see at
// now that was never pushed to them and that they have not studied; a
// deputy with none is left out. It returns the last deputy id considered.
func (db *DB) NextMaterialPerDeputy(ctx context.Context, now time.Time, afterID int64, limit int) (map[int64][]int64, int64, error) {
	var rows []struct {
		DeputyID   int64         `db:"deputy_id"`
		MaterialID sql.NullInt64 `db:"material_id"`
	}
	err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT d.id AS deputy_id,
		(SELECT m.id FROM materials m WHERE m.status = ? AND m.published_at <= ?
			AND NOT EXISTS (SELECT 1 FROM deliveries dl JOIN notices n ON n.id = dl.notice_id
				WHERE n.ref_kind = 'material' AND n.ref_id = m.id AND dl.deputy_id = d.id)
			AND NOT EXISTS (SELECT 1 FROM material_studies s WHERE s.material_id = m.id AND s.deputy_id = d.id)
			ORDER BY m.published_at, m.id LIMIT 1) AS material_id
		FROM deputies d WHERE d.status = ? AND d.openid IS NOT NULL AND d.id > ? ORDER BY d.id LIMIT ?`,
		model.MaterialPublished, now.UTC(), model.StatusActive, afterID, max(limit, 1))
	if err != nil {
		return nil, 0, fmt.Errorf("storage: next material per deputy: %w", err)
	}
	out := map[int64][]int64{}
	last := afterID
	for _, r := range rows {
		last = r.DeputyID
		if r.MaterialID.Valid {
			out[r.MaterialID.Int64] = append(out[r.MaterialID.Int64], r.DeputyID)
		}
	}
	if len(rows) == 0 {
		last = 0
	}
	return out, last, nil
}
