package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"time"
)

// The queries /metrics runs at each scrape. They read the whole cluster's
// state, so every instance reports the same values whoever does the work.

// DueDeliveryCount counts deliveries due to be sent now: queued or due for
// retry, or sending with a lease that ran out (a dispatcher died). It is
// the dispatcher's backlog; the (status, next_at) index answers it.
func (db *DB) DueDeliveryCount(ctx context.Context) (int, error) {
	var n int
	err := db.rq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM deliveries WHERE status IN (?, ?, ?) AND next_at <= ?`,
		model.DeliveryQueued, model.DeliveryRetry, model.DeliverySending, db.now().UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: due deliveries: %w", err)
	}
	return n, nil
}

// LastJobSuccesses returns, for each job that ever succeeded, when its
// latest successful run finished. A job that runs every minute leaves
// ~130,000 rows in 90 days, so each job's answer is one walk down the
// (job, scheduled_at) index that stops at its latest success, not a scan.
func (db *DB) LastJobSuccesses(ctx context.Context) (map[string]time.Time, error) {
	var jobs []string
	if err := db.rq(ctx).SelectContext(ctx, &jobs, `SELECT DISTINCT job FROM job_runs`); err != nil {
		return nil, fmt.Errorf("storage: last job successes: %w", err)
	}
	out := make(map[string]time.Time, len(jobs))
	for _, job := range jobs {
		var at sql.NullTime
		err := db.rq(ctx).GetContext(ctx, &at, `SELECT finished_at FROM job_runs WHERE job = ? AND status = ?
			ORDER BY scheduled_at DESC LIMIT 1`, job, model.JobOK)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("storage: last success of %s: %w", job, err)
		}
		if at.Valid {
			out[job] = at.Time.UTC()
		}
	}
	return out, nil
}
