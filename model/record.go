package model

import (
	"strings"
	"time"
)

// The performance record (履职档案): what a deputy did, counted by type and
// scored by the points rules.

// Event types of the performance record: the keys of the points rules.
const (
	RecAttendSession    = "attend_session"
	RecAttendResearch   = "attend_research"
	RecAttendInspection = "attend_inspection"
	RecAttendStation    = "attend_station"
	RecAttendStudy      = "attend_study"
	RecAttendExchange   = "attend_exchange"
	RecRSVP             = "rsvp"
	RecStudy            = "study"
	RecOpinion          = "opinion"
	RecSuggestionLead   = "suggestion_lead"
	RecSuggestionSecond = "suggestion_second"
	RecRating           = "rating"
	RecSelfReport       = "self_report"
)

// RecordType is one kind of event the record counts.
type RecordType struct {
	Type, Label string
	Points      int // the default points of one event
}

// RecordTypes lists the event types in the order reports show them, with
// their default points. Answering an invitation counts but earns nothing
// by default: attending does.
var RecordTypes = []RecordType{
	{RecAttendSession, "列席常委会会议", 3},
	{RecAttendResearch, "参加专题调研", 2},
	{RecAttendInspection, "参加集中视察", 2},
	{RecAttendStation, "参加联络站接待", 1},
	{RecAttendStudy, "参加学习班", 1},
	{RecAttendExchange, "参加履职交流会", 1},
	{RecRSVP, "回复会议活动邀请", 0},
	{RecStudy, "学习材料", 1},
	{RecOpinion, "提出意见建议", 1},
	{RecSuggestionLead, "领衔提出建议", 3},
	{RecSuggestionSecond, "附议建议", 1},
	{RecRating, "建议办理测评", 1},
	{RecSelfReport, "履职登记", 2},
}

// RecordTypeIndex is the position of typ in RecordTypes, or -1.
func RecordTypeIndex(typ string) int {
	for i, t := range RecordTypes {
		if t.Type == typ {
			return i
		}
	}
	return -1
}

// RecordTypeLabel returns an event type's Chinese name.
func RecordTypeLabel(typ string) string {
	if i := RecordTypeIndex(typ); i >= 0 {
		return RecordTypes[i].Label
	}
	return typ
}

// RecordRules maps an event type to the points one event earns.
type RecordRules map[string]int

// DefaultRecordRules returns the points of RecordTypes.
func DefaultRecordRules() RecordRules {
	r := RecordRules{}
	for _, t := range RecordTypes {
		r[t.Type] = t.Points
	}
	return r
}

// Kinds of RecordFact.
const (
	EventAttend     = "attend"     // Sub is the meeting kind
	EventRSVP       = "rsvp"       // Sub is the answer (attend or leave)
	EventStudy      = "study"      // Sub is empty
	EventOpinion    = "opinion"    // Sub is the opinion category
	EventSuggestion = "suggestion" // Sub is the role (RoleLead or RoleSecond)
	EventRating     = "rating"     // Sub is empty
	EventEntry      = "entry"      // an approved self-report; Sub is its category
)

// RecordFact is one thing a deputy did that the performance record counts,
// as read from the table that holds it.
type RecordFact struct {
	DeputyID int64     `db:"deputy_id"`
	Kind     string    `db:"kind"`
	Sub      string    `db:"sub"`
	At       time.Time `db:"at"`
	Title    string    `db:"title"`
	Place    string    `db:"place"`
	Ref      int64     `db:"ref"` // the meeting, material, opinion, suggestion or entry
}

// RecordScope names whose facts to read: one deputy, or every deputy of a
// delegation.
type RecordScope struct {
	DeputyID   int64
	Delegation string
}

// RecordEvent is one line of a deputy's timeline: a fact with its type and
// the points it earns.
type RecordEvent struct {
	DeputyID int64
	Type     string // RecAttendSession …
	Label    string
	At       time.Time // in the records' zone; a self-report's day at midnight
	DateOnly bool      // At has no time of day (a self-report)
	Title    string
	Place    string
	Detail   string // e.g. the opinion category, the self-report category
	Points   int
	Ref      int64
}

// When is the event's time as pages show it: the day of a self-report, else
// the day and the minute.
func (e RecordEvent) When() string {
	if e.DateOnly {
		return e.At.Format(time.DateOnly)
	}
	return e.At.Format("2006-01-02 15:04")
}

// RecordLine is the count and points of one event type.
type RecordLine struct {
	Type, Label   string
	Count, Points int
}

// RecordTotals is a deputy's (or a delegation's) year in numbers.
type RecordTotals struct {
	DeputyID   int64
	Name       string
	Delegation string
	Year       int
	Lines      []RecordLine // every type of RecordTypes, in order, zero or not
	Count      int          // events
	Points     int
	Pending    int // self-reports awaiting review (not counted)
	Rejected   int // self-reports rejected (never counted)
}

// EmptyTotals returns the totals of a year with nothing in it: a line for
// every type.
func EmptyTotals(year int) RecordTotals {
	t := RecordTotals{Year: year, Lines: make([]RecordLine, len(RecordTypes))}
	for i, rt := range RecordTypes {
		t.Lines[i] = RecordLine{Type: rt.Type, Label: rt.Label}
	}
	return t
}

// Add counts one event.
func (t *RecordTotals) Add(e RecordEvent) {
	i := RecordTypeIndex(e.Type)
	if i < 0 || i >= len(t.Lines) {
		return
	}
	t.Lines[i].Count++
	t.Lines[i].Points += e.Points
	t.Count++
	t.Points += e.Points
}

// AddTotals adds another deputy's totals (a delegation's sum).
func (t *RecordTotals) AddTotals(o RecordTotals) {
	for i := range t.Lines {
		if i < len(o.Lines) {
			t.Lines[i].Count += o.Lines[i].Count
			t.Lines[i].Points += o.Lines[i].Points
		}
	}
	t.Count += o.Count
	t.Points += o.Points
	t.Pending += o.Pending
	t.Rejected += o.Rejected
}

// Line returns the line of one event type.
func (t RecordTotals) Line(typ string) RecordLine {
	for _, l := range t.Lines {
		if l.Type == typ {
			return l
		}
	}
	return RecordLine{Type: typ, Label: RecordTypeLabel(typ)}
}

// Attended counts the meetings and activities attended, of every kind.
func (t RecordTotals) Attended() int {
	n := 0
	for _, l := range t.Lines {
		if strings.HasPrefix(l.Type, "attend_") {
			n += l.Count
		}
	}
	return n
}

// DelegationRecord is a delegation's year: each deputy's totals and the sum.
type DelegationRecord struct {
	Delegation string
	Year       int
	Deputies   []RecordTotals // by points, highest first, then by name
	Sum        RecordTotals
}

// RecordReport is a deputy's annual performance report (履职报告).
type RecordReport struct {
	Deputy   Deputy
	Year     int
	Totals   RecordTotals
	Timeline []RecordEvent
	Entries  []RecordEntry // the year's self-reports, whatever their review
	Rules    RecordRules
}
