package model

import (
	"errors"
	"time"
)

// Conversation is the chat state of one openid: the active flow, its step,
// the answers so far (JSON) and a version for optimistic updates.
type Conversation struct {
	OpenID    string    `db:"openid"`
	Flow      string    `db:"flow"`
	Step      string    `db:"step"`
	Data      string    `db:"data"`
	Misses    int       `db:"misses"`
	Version   int64     `db:"version"`
	UpdatedAt time.Time `db:"updated_at"`
	ExpiresAt time.Time `db:"expires_at"`
}

// ErrStale is returned when a conversation changed since it was read.
var ErrStale = errors.New("stale conversation")
