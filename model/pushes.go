package model

// Push is a notice caused by a change (a suggestion step, an invitation, a
// reply), written in the same transaction as the change, so the change is
// never recorded without its notification, nor the reverse.
type Push struct {
	Notice    Notice
	DeputyIDs []int64
	// Ask, when set, leaves each deputy a pending ask the chat answers.
	Ask *Ask
}

// Ask is a pending ask to leave with a push.
type Ask struct {
	Flow  string
	RefID int64
	Title string
}
