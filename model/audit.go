package model

import (
	"time"
)

// AuditEntry is one line of the audit log: who changed what, when. Summary
// never holds phone numbers or message texts.
type AuditEntry struct {
	ID        int64
	At        time.Time
	StaffID   int64  // 0 for the command line or the system
	StaffName string // as it was at the time
	Via       string // the surface: console, api, cli, wechat, h5, job
	Action    string // e.g. deputy.update
	Object    string // e.g. deputy/42
	Summary   string
}

// AuditFilter selects audit entries. Zero values match all.
type AuditFilter struct {
	StaffID       int64
	Action        string // an exact action, or a prefix ending in "." (deputy.)
	Since, Until  time.Time
	Limit, Offset int   // Limit 0 means all
	BeforeID      int64 // keyset paging for exports: ids smaller than this
}
