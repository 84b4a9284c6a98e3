package model

import "errors"

// ErrAlreadyBound is returned when a deputy or an openid is already bound.
var ErrAlreadyBound = errors.New("already bound")
