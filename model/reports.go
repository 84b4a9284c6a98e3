package model

import "time"

// ReportCounts are the figures of a period [From, To) behind the monthly
// and yearly reports of deputy work. Each count is of things that
// happened in the period, unless its comment says otherwise.
type ReportCounts struct {
	From, To time.Time

	// Notices counts notices written; Deliveries counts their deliveries
	// (one per deputy per notice) created in the period, by status.
	Notices    int
	Deliveries map[string]int

	// Materials counts study materials published; Studies the studies of
	// those materials (whenever before To); Students the deputies who
	// studied at least one of them; BoundDeputies the serving deputies
	// bound to WeChat now, who can receive them.
	Materials, Studies, Students, BoundDeputies int

	// Meetings counts meetings and activities starting in the period;
	// Invitations their invitations by RSVP status; Attended those
	// marked present.
	Meetings    int
	Invitations map[string]int
	Attended    int

	// NewSuggestions, Replied, Concluded count suggestions filed, answered
	// and concluded in the period; Ratings the ratings first made in it,
	// of which Satisfied were 满意 or 基本满意 and Face reported 当面沟通.
	NewSuggestions, Replied, Concluded, Ratings, Satisfied, Face int

	// Opinions counts opinions received, by category; OpinionsAnswered
	// those answered in the period.
	Opinions         map[string]int
	OpinionsAnswered int

	// Surveys counts surveys opening in the period; Responses the answers
	// submitted in it (to any survey).
	Surveys, Responses int
}
