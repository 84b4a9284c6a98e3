package notify

import (
	"context"
	"math"

	"golang.org/x/time/rate"
)

// RateLimit is the send rate in force, in messages per second (+Inf when
// there is none).
func (d *Dispatcher) RateLimit() float64 {
	d.applyDelivery(context.Background())
	if l := d.limiter.Limit(); l != rate.Inf {
		return float64(l)
	}
	return math.Inf(1)
}
