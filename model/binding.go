package model

import (
	"errors"
	"time"
)

// ErrAlreadyBound is returned when a deputy or an openid is already bound.
var ErrAlreadyBound = errors.New("already bound")

// BindLock is a deputy whose binding by name and phone digits is locked
// after too many failed attempts against them: only a binding code staff
// issue binds them now.
type BindLock struct {
	DeputyID   int64     `db:"deputy_id"`
	Name       string    `db:"name"`
	Delegation string    `db:"delegation"`
	Bound      bool      `db:"bound"` // the deputy is bound to a WeChat user (someone tried to take it)
	LockedAt   time.Time `db:"locked_at"`
	Failures   int       `db:"failures"`
}
