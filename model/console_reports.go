package model

// SuggestionQuery is the console's suggestion filter: SuggestionFilter
// plus text searches. Zero values match all.
type SuggestionQuery struct {
	SuggestionFilter
	Number     string // part of the number (第0123号 matches 123)
	DeputyName string // part of the name of a deputy on the suggestion, lead or seconder
}

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
