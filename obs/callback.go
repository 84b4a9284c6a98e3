package obs

import (
	"context"
	"sync"
	"time"
)

// Callback measures one WeChat callback. The HTTP handler starts it and
// finishes it; the gateway, which alone knows the message type and whether
// the message was a re-delivery or answered late, notes them through the
// request's context. The first outcome noted wins, so the gateway's
// specific outcome beats the one the handler reads off the response.
type Callback struct {
	start time.Time

	mu       sync.Mutex
	typ      string
	outcome  string
	finished bool
}

type callbackKey struct{}

// StartCallback begins measuring a callback and returns the context the
// gateway must receive.
func StartCallback(ctx context.Context) (context.Context, *Callback) {
	c := &Callback{start: time.Now()}
	return context.WithValue(ctx, callbackKey{}, c), c
}

func fromContext(ctx context.Context) *Callback {
	c, _ := ctx.Value(callbackKey{}).(*Callback)
	return c
}

// CallbackType notes the inbound message's kind (bot.Inbound.Kind). It
// does nothing when ctx carries no callback.
func CallbackType(ctx context.Context, kind string) {
	if c := fromContext(ctx); c != nil {
		c.mu.Lock()
		c.typ = kind
		c.mu.Unlock()
	}
}

// CallbackOutcome notes how the callback ended, unless an outcome was
// noted already. It does nothing when ctx carries no callback.
func CallbackOutcome(ctx context.Context, outcome string) {
	if c := fromContext(ctx); c != nil {
		c.Outcome(outcome)
	}
}

// Outcome notes how the callback ended, unless an outcome was noted already.
func (c *Callback) Outcome(outcome string) {
	c.mu.Lock()
	if c.outcome == "" {
		c.outcome = outcome
	}
	c.mu.Unlock()
}

// Finish records the callback once: its count by type and outcome (Error
// when none was noted, e.g. after a panic) and its duration.
func (c *Callback) Finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.finished {
		return
	}
	c.finished = true
	outcome := c.outcome
	switch outcome {
	case Replied, Empty, Duplicate, Late, Malformed, RefusedSignature, RefusedStale, RefusedPlaintext, RefusedReplay, RefusedSize, Error:
	case "":
		outcome = Error
	default:
		outcome = "other"
	}
	typ := callbackType(c.typ)
	callbacks.WithLabelValues(typ, outcome).Inc()
	callbackDuration.WithLabelValues(typ).Observe(time.Since(c.start).Seconds())
}
