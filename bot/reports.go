package bot

import (
	"context"
	"sync"
	"time"

	"deputybot/storage"
)

// maxReportBatch bounds one batch of template reports (one UPDATE's IN list).
const maxReportBatch = 500

// reportBatcher writes TEMPLATESENDJOBFINISH reports in batches: while
// one batch is being written, the reports that arrive meanwhile queue for
// the next. A campaign's status storm then costs one UPDATE per batch
// rather than one commit per report, and a lone report waits for nothing.
// Each caller returns only once its own report is written (or failed), so
// "success" is never answered for a report that was not stored.
type reportBatcher struct {
	mu      sync.Mutex
	queue   []queuedReport
	writing bool
}

type queuedReport struct {
	status storage.TemplateStatus
	done   chan error // buffered: the writer never blocks on a caller gone
}

// absorb writes r with the next batch and returns its outcome, or ctx's
// error if ctx ends first (the batch may still write it: repeating a
// report changes nothing).
func (b *reportBatcher) absorb(ctx context.Context, db *storage.DB, r storage.TemplateStatus) error {
	q := queuedReport{status: r, done: make(chan error, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, q)
	if !b.writing {
		b.writing = true
		go b.run(db)
	}
	b.mu.Unlock()
	select {
	case err := <-q.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run writes batches until the queue is empty, then ends.
func (b *reportBatcher) run(db *storage.DB) {
	for {
		b.mu.Lock()
		n := min(len(b.queue), maxReportBatch)
		if n == 0 {
			b.writing = false
			b.mu.Unlock()
			return
		}
		batch := b.queue[:n:n]
		b.queue = b.queue[n:]
		if len(b.queue) == 0 {
			b.queue = nil
		}
		b.mu.Unlock()
		statuses := make([]storage.TemplateStatus, len(batch))
		for i, q := range batch {
			statuses[i] = q.status
		}
		// No caller's context: a batch serves many callers.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := db.AbsorbTemplateReports(ctx, statuses)
		cancel()
		for _, q := range batch {
			q.done <- err
		}
	}
}
