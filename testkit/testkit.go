// Package testkit holds what tests of every package share: a clock a test
// moves by hand and a log buffer a test reads back. It is imported only
// by tests.
package testkit

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"
)

// Clock is the one clock of a test (database, signer, services, pages),
// moved only by the test.
type Clock struct{ ns atomic.Int64 }

// NewClock returns a clock at 2026-03-02 09:00 in Shanghai.
func NewClock() *Clock { return NewClockAt(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)) }

// NewClockAt returns a clock at t.
func NewClockAt(t time.Time) *Clock {
	c := &Clock{}
	c.ns.Store(t.UnixNano())
	return c
}

// Now is the clock's time, in UTC.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// LogBuffer collects a log so a test can check what never reaches it.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
