package handlers

import (
	"deputybot/core"
	"deputybot/model"
)

// opinionRow is one line of the inbox.
type opinionRow struct {
	model.Opinion
	CategoryLabel, StatusLabel, Snippet string
	Assignee                            string // the assignee's name, "" when unassigned
}

func opinionRowOf(o model.Opinion) opinionRow {
	return opinionRow{Opinion: o, CategoryLabel: core.OpinionCategoryLabel(o.Category),
		StatusLabel: core.OpinionStatusLabel(o.Status), Snippet: snippet(o.Body, 60)}
}
