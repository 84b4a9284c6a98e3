package model

import "errors"

// The kinds of refusal every surface knows how to answer (404, 409, 403).
var (
	// ErrNotFound is returned when a row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a write would break a uniqueness rule,
	// or the current state does not allow an action.
	ErrConflict = errors.New("conflict")
	// ErrForbidden is returned when the principal may not take an action.
	ErrForbidden = errors.New("forbidden")
)
