package model

import "time"

// Job run statuses. A run is inserted as running and finished as one of
// the others; a skipped run (another run of the job was in progress) is
// inserted finished.
const (
	JobRunning = "running"
	JobOK      = "ok"
	JobFailed  = "failed"
	JobSkipped = "skipped"
)

// Job run kinds: what started the run.
const (
	JobScheduled = "scheduled" // a cron tick
	JobCatchUp   = "catch-up"  // a tick missed while no instance ran jobs
	JobManual    = "manual"    // deputybot job run NAME
)

// JobNoteMax is how many characters of a run's note are kept.
const JobNoteMax = 500

// JobRunStale is how long a run may stay running before another run of
// the same job may start anyway: a process that died mid-run leaves its
// row running, and must not block the job for ever.
const JobRunStale = 6 * time.Hour

// JobRun is one run of a scheduled job.
type JobRun struct {
	ID          int64
	Job         string
	Kind        string
	ScheduledAt time.Time // the tick it ran for; the start time for a manual run
	StartedAt   time.Time
	FinishedAt  time.Time // zero while running
	Status      string
	Counts      map[string]int // rows touched, per table or per outcome
	Note        string         // an error or a short remark, never a message text
}
