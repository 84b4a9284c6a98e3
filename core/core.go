// Package core holds deputybot's use cases: one method per action, each
// taking the acting principal (Actor) and validating, writing and auditing
// in one transaction. The console, the JSON API, the command line, the
// chat flows and the H5 pages decode their input, call a method here and
// show the result; they never reach storage themselves.
package core

import (
	"context"
	"errors"
	"regexp"
	"sync/atomic"
	"time"

	"deputybot/model"
	"deputybot/storage"
)

// Options configure Services.
type Options struct {
	// Now is the clock of every service; default time.Now.
	Now func() time.Time
	// Loc is the committee's time zone (days, years, deadlines); default
	// Asia/Shanghai.
	Loc *time.Location
}

// Services are every use case of deputybot, built once (in cli) over one
// database with one clock, and handed to each surface.
type Services struct {
	env *env

	Deputies    *Registry
	Staff       *Staff
	Meetings    *Meetings
	Suggestions *Suggestions
	Supervision *Supervision
	Opinions    *Opinions
	Surveys     *Surveys
	Materials   *Materials
	Files       *Files
	Courses     *Courses
	Records     *Records
	Reports     *Reports
	Reminders   *Reminders
	Series      *NoticeSeries
	Settings    *Settings
	SitIn       *SitIn
	Liaison     *Liaison
	Messages    *Messages
	// Stations are the liaison stations (代表联络站) and their reception
	// days; PublicOpinions the opinions the public leave there.
	Stations       *Stations
	PublicOpinions *PublicOpinions

	// What the surfaces run on: the deputy a WeChat page acts for, the
	// nightly cleanup.
	Access       *Access
	Housekeeping *Housekeeping
	// Binding connects a WeChat follower to their deputy (or member) record.
	Binding *Binding
	// Campaigns composes notices to an audience, sends them (or a test)
	// and pauses, resumes and cancels them.
	Campaigns *Campaigns
	// Menus sends the account's custom menu to WeChat.
	Menus *Menus
	// Chat reads what the chat's read commands answer with.
	Chat *Chat
}

// New builds the services over db.
func New(db *storage.DB, o Options) *Services {
	e := &env{db: db, loc: o.Loc}
	if e.loc == nil {
		e.loc = shanghaiLoc()
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	e.clock.Store(&now)
	s := &Services{env: e,
		Deputies: NewRegistry(db), Staff: NewStaff(db), Meetings: &Meetings{e},
		Suggestions: NewSuggestions(db), Supervision: NewSupervision(db, e.loc), Opinions: NewOpinions(db),
		Surveys: NewSurveys(db), Materials: &Materials{e}, Records: &Records{e},
		Reports: &Reports{db: db, Loc: e.loc, env: e}, Reminders: &Reminders{e}, Series: &NoticeSeries{e},
		Settings: &Settings{env: e}, SitIn: &SitIn{e}, Liaison: NewLiaison(db),
		Messages: &Messages{env: e},
	}
	s.Deputies.now, s.Deputies.env = e.now, e
	s.Staff.Now, s.Staff.Loc, s.Staff.env = e.now, e.loc, e
	s.Suggestions.Now, s.Suggestions.env = e.now, e
	s.Supervision.Now, s.Supervision.env = e.now, e
	s.Opinions.env = e
	s.Surveys.now, s.Surveys.env = e.now, e
	s.Liaison.now, s.Liaison.env = e.now, e
	s.Access, s.Housekeeping = &Access{e}, &Housekeeping{e}
	s.Binding, s.Campaigns, s.Menus = &Binding{e}, &Campaigns{env: e}, &Menus{e}
	s.Files, s.Courses, s.Chat = &Files{e}, &Courses{e}, &Chat{e}
	s.Stations, s.PublicOpinions = &Stations{env: e, meetings: s.Meetings}, &PublicOpinions{env: e}
	return s
}

// SetClock replaces the clock of every service at once (tests).
func (s *Services) SetClock(now func() time.Time) { s.env.clock.Store(&now) }

// Now is the services' clock.
func (s *Services) Now() time.Time { return s.env.now() }

// Location is the committee's time zone.
func (s *Services) Location() *time.Location { return s.env.loc }

// env is what every service shares: the database, the clock, the zone.
type env struct {
	db     *storage.DB
	loc    *time.Location
	clock  atomic.Pointer[func() time.Time]
	limits DeliveryLimits // the outbox's configured quiet hours and quota
}

// newEnv is the environment of a service built on its own (tests, and
// surfaces not yet given Services): time.Now, Asia/Shanghai.
func newEnv(db *storage.DB) *env {
	e := &env{db: db, loc: shanghaiLoc()}
	now := time.Now
	e.clock.Store(&now)
	return e
}

func (e *env) now() time.Time { return (*e.clock.Load())() }

// tx runs fn as one action: its writes and the audit entries it records
// commit together or not at all.
func (e *env) tx(ctx context.Context, fn func(ctx context.Context) error) error {
	return e.db.InTx(ctx, fn)
}

// errAuditOutsideTx guards the rule that a change and its audit entry are
// one write.
var errAuditOutsideTx = errors.New("core: audit outside the action's transaction")

var phoneInText = regexp.MustCompile(`1[3-9]\d{9}`)

// partOf marks ctx as the inside of a larger action: the actions called
// with it record no audit entry of their own, so the larger action (a
// reception day that creates a meeting and invites to it) leaves one
// entry, as every action does.
type partOf struct{}

func asPartOf(ctx context.Context) context.Context { return context.WithValue(ctx, partOf{}, true) }

// audit records, inside the action's transaction, that by did action on
// object. summary says what changed and must not hold phone numbers or
// message texts; any mobile number that slips in is masked anyway.
func (e *env) audit(ctx context.Context, by Actor, action, object, summary string) error {
	if !storage.InTransaction(ctx) {
		return errAuditOutsideTx
	}
	if ctx.Value(partOf{}) != nil {
		return nil // the larger action records its own entry
	}
	summary = phoneInText.ReplaceAllStringFunc(summary, MaskPhone)
	return e.db.AddAudit(ctx, &model.AuditEntry{StaffID: by.Account.ID, StaffName: by.Name(), Via: by.Via,
		Action: action, Object: object, Summary: summary})
}
