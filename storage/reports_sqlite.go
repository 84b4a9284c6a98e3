package storage

// SQLite's own statements: the dialect runs them alone, so they may use
// what MySQL and MariaDB lack (the portability checks of
// portability_test.go leave files named *_sqlite.go out).

import (
	"cmp"
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// applyReportsReturning is applyReports on SQLite: one UPDATE through the
// msgid index that returns the campaigns of the rows it moved, and the
// counts, in one transaction. SQLite's writers take turns, so the rows it
// returns are exactly the rows moved: no read before, no second try.
// (MariaDB and MySQL have no UPDATE … RETURNING.)
func (db *DB) applyReportsReturning(ctx context.Context, status string, msgids []int64) (int64, error) {
	to, set, arg := reportedStatus(db, status)
	var n int64
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		n = 0
		q, args, err := sqlx.In(`UPDATE deliveries SET status = ?, `+set+` WHERE +status = ? AND msgid IN (?)
			RETURNING COALESCE(campaign_id, 0)`, to, arg, model.DeliverySent, msgids)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		deltas := campaignDeltas{}
		for rows.Next() {
			var campaign int64
			if err := rows.Scan(&campaign); err != nil {
				rows.Close()
				return err
			}
			n++
			deltas.move(campaign, model.DeliverySent, to, 1)
		}
		if err := cmp.Or(rows.Err(), rows.Close()); err != nil {
			return err
		}
		return db.applyCampaignDeltas(ctx, tx, deltas)
	})
	if err != nil {
		return 0, fmt.Errorf("storage: template reports: %w", err)
	}
	return n, nil
}
