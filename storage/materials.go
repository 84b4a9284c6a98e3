package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

const materialColumns = `m.id, m.title, m.summary, m.link, m.body, m.published_at, m.created_at`

// CreateMaterial inserts m and sets its ID and CreatedAt; a zero
// PublishedAt means now.
func (db *DB) CreateMaterial(ctx context.Context, m *model.Material) error {
	now := db.now().UTC()
	if m.PublishedAt.IsZero() {
		m.PublishedAt = now
	}
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO materials (title, summary, link, body, published_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, m.Title, m.Summary, m.Link, m.Body, m.PublishedAt.UTC(), now)
	if err != nil {
		return fmt.Errorf("storage: create material: %w", err)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("storage: create material: %w", err)
	}
	m.PublishedAt, m.CreatedAt = m.PublishedAt.UTC(), now
	return nil
}

// GetMaterial returns the material with id, published or not, or ErrNotFound.
func (db *DB) GetMaterial(ctx context.Context, id int64) (model.Material, error) {
	var m model.Material
	err := db.rq(ctx).GetContext(ctx, &m, `SELECT `+materialColumns+` FROM materials m WHERE m.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Material{}, fmt.Errorf("storage: material %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return model.Material{}, fmt.Errorf("storage: material %d: %w", id, err)
	}
	return utcMaterial(m), nil
}

// ListMaterials returns one page of every material (scheduled ones too),
// the latest published first, and how many there are (limit 0 means all).
func (db *DB) ListMaterials(ctx context.Context, limit, offset int) ([]model.Material, int, error) {
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM materials`); err != nil {
		return nil, 0, fmt.Errorf("storage: count materials: %w", err)
	}
	q := `SELECT ` + materialColumns + ` FROM materials m ORDER BY m.published_at DESC, m.id DESC`
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, max(offset, 0))
	}
	var out []model.Material
	if err := db.rq(ctx).SelectContext(ctx, &out, q); err != nil {
		return nil, 0, fmt.Errorf("storage: list materials: %w", err)
	}
	for i := range out {
		out[i] = utcMaterial(out[i])
	}
	return out, total, nil
}

// LatestMaterials returns the limit most recently published materials
// (published by the database clock), newest first, each with whether the
// deputy has studied it.
func (db *DB) LatestMaterials(ctx context.Context, deputyID int64, limit int) ([]model.DeputyMaterial, error) {
	var rows []struct {
		model.Material
		StudiedAt sql.NullTime `db:"studied_at"`
	}
	err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT `+materialColumns+`, s.studied_at FROM materials m
		LEFT JOIN material_studies s ON s.material_id = m.id AND s.deputy_id = ?
		WHERE m.published_at <= ? ORDER BY m.published_at DESC, m.id DESC LIMIT ?`,
		deputyID, db.now().UTC(), max(limit, 0))
	if err != nil {
		return nil, fmt.Errorf("storage: latest materials: %w", err)
	}
	out := make([]model.DeputyMaterial, len(rows))
	for i, r := range rows {
		out[i] = model.DeputyMaterial{Material: utcMaterial(r.Material), StudiedAt: timePtr(r.StudiedAt)}
	}
	return out, nil
}

// MarkStudied records that the deputy studied a published material;
// marking it again changes nothing and reports first == false. A missing
// or not yet published material, or a missing deputy, gives ErrNotFound.
func (db *DB) MarkStudied(ctx context.Context, materialID, deputyID int64) (first bool, err error) {
	now := db.now().UTC()
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		// Checked here, not left to the foreign key: INSERT IGNORE would
		// turn a missing parent into a warning on MySQL.
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT (SELECT COUNT(*) FROM materials WHERE id = ? AND published_at <= ?)
			+ (SELECT COUNT(*) FROM deputies WHERE id = ?)`, materialID, now, deputyID); err != nil {
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
	return m
}
