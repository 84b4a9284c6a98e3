package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// AdoptOpinion marks an opinion adopted by the account by, with an
// optional note, and writes the pushes (the notice to its author) in the
// same transaction. Marking an adopted opinion again changes nothing and
// pushes nothing; it reports whether this call adopted it. A missing
// opinion gives ErrNotFound.
func (db *DB) AdoptOpinion(ctx context.Context, id int64, by, note string, pushes ...model.Push) (bool, error) {
	adopted := false
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var one int
		err := tx.GetContext(ctx, &one, `SELECT 1 FROM opinions WHERE id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("storage: adopt opinion %d: %w", id, model.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("storage: adopt opinion %d: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO opinion_adoptions (opinion_id, adopted_by, adopted_at, note)
			VALUES (?, ?, ?, ?)`, id, by, db.now().UTC(), note)
		if err != nil {
			return fmt.Errorf("storage: adopt opinion %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // already adopted: no second notice
		}
		adopted = true
		return db.enqueueAll(ctx, tx, fmt.Sprintf("adopt%d", id), pushes)
	})
	return adopted, err
}

// GetOpinionAdoption returns the adoption of an opinion, or ErrNotFound
// when it is not adopted.
func (db *DB) GetOpinionAdoption(ctx context.Context, opinionID int64) (model.Adoption, error) {
	var a model.Adoption
	err := db.rq(ctx).GetContext(ctx, &a, `SELECT opinion_id, adopted_by, adopted_at, note FROM opinion_adoptions
		WHERE opinion_id = ?`, opinionID)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Adoption{}, fmt.Errorf("storage: adoption of opinion %d: %w", opinionID, model.ErrNotFound)
	}
	if err != nil {
		return model.Adoption{}, fmt.Errorf("storage: adoption of opinion %d: %w", opinionID, err)
	}
	a.AdoptedAt = a.AdoptedAt.UTC()
	return a, nil
}

// OpinionAdoptions returns the adoptions of the opinions with ids that are
// adopted, by opinion id.
func (db *DB) OpinionAdoptions(ctx context.Context, ids []int64) (map[int64]model.Adoption, error) {
	out := map[int64]model.Adoption{}
	if len(ids) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT opinion_id, adopted_by, adopted_at, note FROM opinion_adoptions
		WHERE opinion_id IN (?)`, ids)
	if err != nil {
		return nil, err
	}
	var rows []model.Adoption
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: opinion adoptions: %w", err)
	}
	for _, a := range rows {
		a.AdoptedAt = a.AdoptedAt.UTC()
		out[a.OpinionID] = a
	}
	return out, nil
}
