package model

import (
	"errors"
	"time"
)

// Survey question kinds as stored.
const (
	QuestionSingle = "single" // one option; answer "2"
	QuestionMulti  = "multi"  // several options; answer "1,3"
	QuestionScale  = "scale"  // a score 1–5; answer "4"
	QuestionText   = "text"   // free text
)

// Survey submission errors.
var (
	// ErrSurveyClosed is returned for a response to a survey that is not
	// open (not yet opened, or closed).
	ErrSurveyClosed = errors.New("survey closed")
	// ErrAlreadyAnswered is returned for a second response to an anonymous
	// survey: with no link from answers to deputies, there is nothing to revise.
	ErrAlreadyAnswered = errors.New("survey already answered")
)

// Survey is a questionnaire (问卷) put to deputies.
type Survey struct {
	ID        int64
	Title     string
	Intro     string
	Anonymous bool // answers are stored without the deputy's identity
	OpensAt   time.Time
	ClosesAt  time.Time
	CreatedAt time.Time
	Questions []SurveyQuestion // in order; filled by CreateSurvey's caller and GetSurvey
	Responses int              // read only: deputies who answered
	// Audience is who is asked: the deputies in office it names (the zero
	// audience: every deputy in office).
	Audience Audience
	// RemindOn are the days (2006-01-02, in the service's time zone, at
	// most three) on which those asked who have not answered are reminded.
	RemindOn []string
}

// AudienceOrAll is the survey's audience, every deputy when none is set.
func (s Survey) AudienceOrAll() Audience {
	a := s.Audience
	if !a.All && len(a.Delegations) == 0 && len(a.Levels) == 0 && !a.GrassrootsOnly && len(a.Groups) == 0 &&
		len(a.Tags) == 0 && len(a.DeputyIDs) == 0 && a.MeetingID == 0 && a.SuggestionID == 0 {
		a.All = true
	}
	return a
}

// SurveyInvitee is one deputy a survey asks, and whether they answered.
type SurveyInvitee struct {
	DeputyID   int64  `db:"id"`
	Name       string `db:"name"`
	Delegation string `db:"delegation"`
	Bound      bool   `db:"bound"`
	Answered   bool   `db:"answered"`
}

// OpenAt reports whether the survey accepts responses at t.
func (s Survey) OpenAt(t time.Time) bool {
	return !t.Before(s.OpensAt) && t.Before(s.ClosesAt)
}

// SurveyQuestion is one question of a survey.
type SurveyQuestion struct {
	ID       int64
	SurveyID int64
	Position int    // 1-based order in the survey
	Kind     string // QuestionSingle, QuestionMulti, QuestionScale or QuestionText
	Text     string
	Options  []string // the choices of single and multi questions
	Optional bool
}

// SurveyAnswer is the answer to one question, as stored: for choices the
// 1-based option numbers joined by ',' in ascending order, for a scale
// the score, for text the text.
type SurveyAnswer struct {
	QuestionID int64
	Value      string
}

// SurveyResults sums up a survey's responses.
type SurveyResults struct {
	Survey    Survey // with its questions
	Responses int    // responses stored
	Questions []QuestionResult
}

// QuestionResult sums up the answers to one question.
type QuestionResult struct {
	Question SurveyQuestion
	Answered int      // responses that answered it
	Counts   []int    // single/multi: Counts[i] chose Options[i]; scale: Counts[s-1] gave score s
	Average  float64  // scale: mean score, 0 when unanswered
	Texts    []string // text: the answers
}

// SurveyResponseRow is one response with its answers by question id; the
// deputy is empty for an anonymous survey.
type SurveyResponseRow struct {
	ResponseID  int64
	DeputyName  string
	Delegation  string
	SubmittedAt time.Time
	Answers     map[int64]string
}
