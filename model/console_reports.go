package model

// SuggestionListItem is one line of the console's suggestion list.
type SuggestionListItem struct {
	Suggestion
	LeadName string // the lead deputy's name
}

// NewSuggestion is one suggestion of a batch: the suggestion with its lead
// deputy, and its seconders.
type NewSuggestion struct {
	Suggestion *Suggestion
	Seconders  []int64
}
