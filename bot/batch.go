package bot

import (
	"context"
	"sync"
	"time"
)

// batcher gathers the writes of concurrent callbacks into batches: while
// one batch is being written, the items that arrive meanwhile queue for
// the next. A storm of callbacks then costs one commit per batch rather
// than one per callback, and a lone item waits for nothing. Each caller
// returns only once its own item is written (or failed), so WeChat is never
// answered for a message that was not stored. The zero value is ready.
type batcher[T, R any] struct {
	mu      sync.Mutex
	queue   []batched[T, R]
	writing bool
}

type batched[T, R any] struct {
	item T
	done chan batchOutcome[R] // buffered: the writer never blocks on a caller gone
}

type batchOutcome[R any] struct {
	out R
	err error
}

// writeBatch writes items in one go and returns one result per item (or
// nil when there is nothing to return but the error).
type writeBatch[T, R any] func(ctx context.Context, items []T) ([]R, error)

// do writes item with the next batch, by write, at most maxItems a batch,
// and returns its result, or ctx's error if ctx ends first (the batch may
// still write it: the callers' writes are such that this is harmless).
func (b *batcher[T, R]) do(ctx context.Context, item T, maxItems int, write writeBatch[T, R]) (R, error) {
	q := batched[T, R]{item: item, done: make(chan batchOutcome[R], 1)}
	b.mu.Lock()
	b.queue = append(b.queue, q)
	if !b.writing {
		b.writing = true
		go b.run(maxItems, write)
	}
	b.mu.Unlock()
	select {
	case o := <-q.done:
		return o.out, o.err
	case <-ctx.Done():
		var zero R
		return zero, ctx.Err()
	}
}

// run writes batches until the queue is empty, then ends.
func (b *batcher[T, R]) run(max int, write writeBatch[T, R]) {
	for {
		b.mu.Lock()
		n := min(len(b.queue), max)
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
		items := make([]T, len(batch))
		for i, q := range batch {
			items[i] = q.item
		}
		// No caller's context: a batch serves many callers.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		outs, err := write(ctx, items)
		cancel()
		for i, q := range batch {
			o := batchOutcome[R]{err: err}
			if err == nil && i < len(outs) {
				o.out = outs[i]
			}
			q.done <- o
		}
	}
}
