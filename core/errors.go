package core

import (
	"errors"
	"fmt"
	"strings"

	"deputybot/model"
)

// FieldError is a validation failure on one field, with a message in
// Chinese for the person who must correct it. Key names the field for
// every surface: the console's form field and the API's JSON property are
// both called Key, so renaming a label on screen never changes the API.
type FieldError struct {
	Key   string // the form field and JSON property, e.g. phone; "" for the record as a whole
	Label string // its Chinese name, e.g. 手机号
	Value string // the value given, when showing it helps
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", e.Label, e.Msg)
	}
	return fmt.Sprintf("%s: %q %s", e.Label, e.Value, e.Msg)
}

// ValidationError holds every FieldError of one record.
type ValidationError []*FieldError

func (v ValidationError) Error() string {
	parts := make([]string, len(v))
	for i, e := range v {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "；")
}

// Fields returns the field errors err carries (a ValidationError or a
// single *FieldError), and false for any other error.
func Fields(err error) (ValidationError, bool) {
	var verr ValidationError
	var ferr *FieldError
	switch {
	case errors.As(err, &verr):
		return verr, true
	case errors.As(err, &ferr):
		return ValidationError{ferr}, true
	}
	return nil, false
}

// Problem is an action refused for a reason the person can act on: its
// text is the Chinese sentence to show them, and it wraps the kind
// (model.ErrNotFound, model.ErrForbidden, model.ErrConflict) that surfaces
// map to a status.
type Problem struct {
	Kind error
	Msg  string
}

func (p *Problem) Error() string { return p.Msg }

func (p *Problem) Unwrap() error { return p.Kind }

// NotFound refuses an action on something that does not exist.
func NotFound(format string, args ...any) error {
	return &Problem{Kind: model.ErrNotFound, Msg: fmt.Sprintf(format, args...)}
}

// Forbidden refuses an action the principal may not take.
func Forbidden(format string, args ...any) error {
	return &Problem{Kind: model.ErrForbidden, Msg: fmt.Sprintf(format, args...)}
}

// Conflict refuses an action the current state does not allow (a closed
// meeting, a cancelled campaign).
func Conflict(format string, args ...any) error {
	return &Problem{Kind: model.ErrConflict, Msg: fmt.Sprintf(format, args...)}
}

// Message returns the Chinese sentence of a Problem in err, or "".
func Message(err error) string {
	var p *Problem
	if errors.As(err, &p) {
		return p.Msg
	}
	return ""
}
