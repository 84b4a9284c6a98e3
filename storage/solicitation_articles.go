package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// insertArticlesBatch bounds the rows of one multi-row INSERT (a draft
// has tens to a few hundred articles; SQLite allows 32,766 parameters).
const insertArticlesBatch = 200

// insertArticles writes a solicitation's articles in tx.
func insertArticles(ctx context.Context, tx *sqlx.Tx, solicitationID int64, list []model.SolicitationArticle) error {
	for start := 0; start < len(list); start += insertArticlesBatch {
		batch := list[start:min(start+insertArticlesBatch, len(list))]
		q := `INSERT INTO solicitation_articles (solicitation_id, article_no, heading, body) VALUES `
		args := make([]any, 0, 4*len(batch))
		for i, a := range batch {
			if i > 0 {
				q += `, `
			}
			q += `(?, ?, ?, ?)`
			args = append(args, solicitationID, a.Number, a.Heading, a.Body)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			if isDuplicate(err) {
				return fmt.Errorf("storage: articles of solicitation %d: an article number twice: %w", solicitationID, model.ErrConflict)
			}
			return fmt.Errorf("storage: articles of solicitation %d: %w", solicitationID, err)
		}
	}
	return nil
}

// SolicitationArticles returns the stored articles of a solicitation in
// the draft's order; none when only their number is known.
func (db *DB) SolicitationArticles(ctx context.Context, solicitationID int64) ([]model.SolicitationArticle, error) {
	var out []model.SolicitationArticle
	if err := db.rq(ctx).SelectContext(ctx, &out, `SELECT solicitation_id, article_no, heading, body FROM solicitation_articles
		WHERE solicitation_id = ? ORDER BY article_no`, solicitationID); err != nil {
		return nil, fmt.Errorf("storage: articles of solicitation %d: %w", solicitationID, err)
	}
	return out, nil
}

// SetSolicitationArticles replaces the articles of a solicitation and sets
// its number of articles to theirs, in one transaction. A missing
// solicitation gives ErrNotFound.
func (db *DB) SetSolicitationArticles(ctx context.Context, solicitationID int64, list []model.SolicitationArticle) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var one int
		err := tx.GetContext(ctx, &one, `SELECT 1 FROM solicitations WHERE id = ?`, solicitationID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("storage: articles of solicitation %d: %w", solicitationID, model.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("storage: articles of solicitation %d: %w", solicitationID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM solicitation_articles WHERE solicitation_id = ?`, solicitationID); err != nil {
			return fmt.Errorf("storage: articles of solicitation %d: %w", solicitationID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE solicitations SET articles = ? WHERE id = ?`, len(list), solicitationID); err != nil {
			return fmt.Errorf("storage: articles of solicitation %d: %w", solicitationID, err)
		}
		return insertArticles(ctx, tx, solicitationID, list)
	})
}
