package model

// The Chinese names of the statuses that are not with their entity's
// outbox or list code. Every surface, export and message reads a status's
// name from here (or from its entity's …Label function beside it), so a
// status reads the same everywhere.

var suggestionStatusLabels = map[string]string{
	SuggestionDraft: "草稿", SuggestionSubmitted: "待审查", SuggestionReturned: "已退回", SuggestionMerged: "已并案",
	SuggestionAssigned: "已交办", SuggestionHandling: "办理中", SuggestionReplied: "已答复",
	SuggestionConcluded: "已办结", SuggestionRehandling: "重新办理",
}

// SuggestionStatusLabel names a suggestion's status in Chinese, before or
// in handling (the status itself when unknown).
func SuggestionStatusLabel(status string) string {
	if l, ok := suggestionStatusLabels[status]; ok {
		return l
	}
	return status
}

// OpinionStatuses lists the opinion statuses in handling order.
var OpinionStatuses = []string{OpinionReceived, OpinionAnswered, OpinionClosed}

// OpinionStatusLabel names an opinion's status in Chinese; an unknown one
// reads 已收到.
func OpinionStatusLabel(status string) string {
	switch status {
	case OpinionAnswered:
		return "已答复"
	case OpinionClosed:
		return "已办结"
	}
	return "已收到"
}

// DeputyStatusLabel names a deputy's status in Chinese: 终止 or 在任.
func DeputyStatusLabel(status string) string {
	if status == StatusEnded {
		return "终止"
	}
	return "在任"
}
