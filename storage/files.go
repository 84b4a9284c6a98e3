package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// fileChunk is how much of a file's content one row holds: well under
// MySQL's and MariaDB's default max_allowed_packet.
const fileChunk = 1 << 20

const fileColumns = `id, name, size, sha256, content_type, created_by, created_at`

// CreateFile stores f and its content, setting f.ID and f.CreatedAt. The
// content is written once per SHA-256: a second upload of the same bytes
// only adds its row to files.
func (db *DB) CreateFile(ctx context.Context, f *model.File, data []byte) error {
	now := db.now().UTC()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var have int
		if err := tx.GetContext(ctx, &have, `SELECT COUNT(*) FROM file_chunks WHERE sha256 = ?`, f.SHA256); err != nil {
			return err
		}
		if want := (len(data) + fileChunk - 1) / fileChunk; have != want {
			for seq := 0; seq*fileChunk < len(data); seq++ {
				part := data[seq*fileChunk : min((seq+1)*fileChunk, len(data))]
				if _, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO file_chunks (sha256, seq, data) VALUES (?, ?, ?)`,
					f.SHA256, seq, part); err != nil {
					return err
				}
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO files (name, size, sha256, content_type, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, f.Name, f.Size, f.SHA256, f.ContentType, f.CreatedBy, now)
		if err != nil {
			return err
		}
		f.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: create file: %w", err)
	}
	f.CreatedAt = now
	return nil
}

// GetFile returns the file with id, without its content, or ErrNotFound.
func (db *DB) GetFile(ctx context.Context, id int64) (model.File, error) {
	var f model.File
	err := db.rq(ctx).GetContext(ctx, &f, `SELECT `+fileColumns+` FROM files WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("storage: file %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("storage: file %d: %w", id, err)
	}
	f.CreatedAt = f.CreatedAt.UTC()
	return f, nil
}

// GetFiles returns the files with the given ids that exist, in the order asked.
func (db *DB) GetFiles(ctx context.Context, ids []int64) ([]model.File, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT `+fileColumns+` FROM files WHERE id IN (?)`, ids)
	if err != nil {
		return nil, fmt.Errorf("storage: files: %w", err)
	}
	var rows []model.File
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: files: %w", err)
	}
	byID := map[int64]model.File{}
	for _, f := range rows {
		f.CreatedAt = f.CreatedAt.UTC()
		byID[f.ID] = f
	}
	var out []model.File
	for _, id := range ids {
		if f, ok := byID[id]; ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// FileContent returns the content of the file with id, or ErrNotFound.
func (db *DB) FileContent(ctx context.Context, id int64) ([]byte, error) {
	f, err := db.GetFile(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := db.rq(ctx).QueryContext(ctx, `SELECT data FROM file_chunks WHERE sha256 = ? ORDER BY seq`, f.SHA256)
	if err != nil {
		return nil, fmt.Errorf("storage: file %d content: %w", id, err)
	}
	defer rows.Close()
	out := make([]byte, 0, f.Size)
	for rows.Next() {
		var part []byte
		if err := rows.Scan(&part); err != nil {
			return nil, fmt.Errorf("storage: file %d content: %w", id, err)
		}
		out = append(out, part...)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: file %d content: %w", id, err)
	}
	if int64(len(out)) != f.Size {
		return nil, fmt.Errorf("storage: file %d content: %d bytes stored, %d expected", id, len(out), f.Size)
	}
	return out, nil
}

// FileOfPublishedMaterial reports whether the file is attached to a
// study material published by now: what deputies may download.
func (db *DB) FileOfPublishedMaterial(ctx context.Context, fileID int64, now time.Time) (bool, error) {
	var n int
	err := db.rq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM material_attachments a JOIN materials m ON m.id = a.material_id
		WHERE a.file_id = ? AND m.status = 'published' AND m.published_at <= ?`, fileID, now.UTC())
	if err != nil {
		return false, fmt.Errorf("storage: file %d of a material: %w", fileID, err)
	}
	return n > 0, nil
}
