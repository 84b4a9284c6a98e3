package model

import "time"

// Series is a recurring notice: a campaign is created at every tick of
// Schedule (a standard cron spec in the service's zone).
type Series struct {
	ID           int64
	Name         string
	Kind         string
	Title, Body  string
	Audience     Audience
	Schedule     string
	NextMaterial bool // send the next unannounced study material instead of Title and Body
	Active       bool
	CreatedAt    time.Time
	LastRunAt    *time.Time
}
