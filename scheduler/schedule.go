package scheduler

import (
	"errors"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// How far back prevTick looks for a job's latest tick.
const maxLookBack = 2 * 366 * 24 * time.Hour

// parse reads a standard cron spec (minute hour day-of-month month
// day-of-week, or a descriptor such as @daily). @every is refused: it has
// no fixed ticks, so a missed run could not be told from an early one.
func parse(spec string, loc *time.Location) (cron.Schedule, error) {
	if spec == "" {
		return nil, errors.New("empty schedule")
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w (want minute hour day month weekday, e.g. \"40 3 * * *\")", spec, err)
	}
	if _, ok := sched.(*cron.SpecSchedule); !ok {
		return nil, fmt.Errorf("schedule %q: @every is not supported; give fixed times, e.g. \"*/10 * * * *\"", spec)
	}
	if sched.Next(time.Now().In(loc)).IsZero() {
		return nil, fmt.Errorf("schedule %q never fires", spec)
	}
	return sched, nil
}

// prevTick returns sched's latest tick at or before now, or zero if there
// is none within maxLookBack. Schedules only look forward, so it finds a
// window before now holding a tick by doubling, then walks forward.
func prevTick(sched cron.Schedule, now time.Time) time.Time {
	for w := time.Minute; w <= maxLookBack; w *= 2 {
		t := sched.Next(now.Add(-w))
		if t.IsZero() {
			return t
		}
		if t.After(now) {
			continue
		}
		for {
			n := sched.Next(t)
			if n.IsZero() || n.After(now) {
				return t
			}
			t = n
		}
	}
	return time.Time{}
}
