package model

import (
	"database/sql"
	"fmt"
	"time"
)

// Course statuses: a draft is prepared, published (its audience is
// enrolled and told), archived.
const (
	CourseDraft     = "draft"
	CoursePublished = "published"
	CourseArchived  = "archived"
)

var courseStatusLabels = map[string]string{CourseDraft: "草稿", CoursePublished: "进行中", CourseArchived: "已归档"}

// CourseStatusLabel names a course status in Chinese.
func CourseStatusLabel(st string) string {
	if l, ok := courseStatusLabels[st]; ok {
		return l
	}
	return st
}

// Course is a 学习班 or 专题学习: an ordered set of study materials and
// offline sessions (meetings of kind study) from which each enrolled
// deputy must earn Required study hours (学时) by Deadline. A material
// studied earns one hour; a session attended earns its Hours.
type Course struct {
	ID          int64        `db:"id"`
	Title       string       `db:"title"`
	Summary     string       `db:"summary"`
	Required    int          `db:"required"`
	Deadline    time.Time    `db:"deadline"`
	Audience    Audience     `db:"-"`
	AudienceJS  string       `db:"audience"`
	Status      string       `db:"status"`
	CreatedBy   string       `db:"created_by"`
	CreatedAt   time.Time    `db:"created_at"`
	UpdatedAt   sql.NullTime `db:"updated_at"`
	PublishedAt sql.NullTime `db:"published_at"`

	Materials []CourseMaterial `db:"-"`
	Sessions  []CourseSession  `db:"-"`
}

// Object names the course in the audit log.
func (c Course) Object() string { return fmt.Sprintf("course/%d", c.ID) }

// Available is how many hours the course offers in all.
func (c Course) Available() int {
	n := len(c.Materials)
	for _, s := range c.Sessions {
		n += s.Hours
	}
	return n
}

// OpenAt reports whether deputies can still earn hours at now.
func (c Course) OpenAt(now time.Time) bool {
	return c.Status == CoursePublished && !now.After(c.Deadline)
}

// CourseMaterial is one material of a course, in its order.
type CourseMaterial struct {
	MaterialID int64  `db:"material_id"`
	Title      string `db:"title"`
	Status     string `db:"status"`
}

// CourseSession is an offline session of a course: a meeting of kind study.
type CourseSession struct {
	MeetingID int64     `db:"meeting_id"`
	Title     string    `db:"title"`
	StartsAt  time.Time `db:"starts_at"`
	Hours     int       `db:"hours"`
}

// CourseRow is a course in a list, with its enrolment and completion.
type CourseRow struct {
	Course
	Enrolled int `db:"enrolled"`
	Finished int `db:"-"`
}

// CourseProgress is where one deputy stands in a course.
type CourseProgress struct {
	Course
	Done int // hours earned
}

// Finished reports whether the deputy earned the hours required.
func (p CourseProgress) Finished() bool { return p.Done >= p.Required }

// CourseDeputy is one enrolled deputy's progress, for staff.
type CourseDeputy struct {
	DeputyID   int64  `db:"deputy_id"`
	Name       string `db:"name"`
	Delegation string `db:"delegation"`
	Studied    int    `db:"studied"`  // course materials studied
	Attended   int    `db:"attended"` // hours of sessions attended
	Done       int    `db:"-"`
	Finished   bool   `db:"-"`
}

// DelegationCompletion is a delegation's completion of a course.
type DelegationCompletion struct {
	Delegation         string
	Enrolled, Finished int
}

// Rate is the share finished, 0 to 1.
func (d DelegationCompletion) Rate() float64 {
	if d.Enrolled == 0 {
		return 0
	}
	return float64(d.Finished) / float64(d.Enrolled)
}

// CourseReport is a course's progress: every enrolled deputy, and the
// completion overall and by delegation.
type CourseReport struct {
	Course       Course
	Deputies     []CourseDeputy
	Enrolled     int
	Finished     int
	ByDelegation []DelegationCompletion
}

// Rate is the share of enrolled deputies who finished, 0 to 1.
func (r CourseReport) Rate() float64 {
	return DelegationCompletion{Enrolled: r.Enrolled, Finished: r.Finished}.Rate()
}
