package model

// ChatState is what decides whether a message can be answered at once: is
// a conversation under way (live or expired), and whose openid is it.
type ChatState struct {
	InConversation bool
	DeputyName     string // "" when no deputy is bound to the openid
	Member         bool   // the deputy is also a committee member (双联系)
	Leader         bool   // the deputy is a leader linked to an electoral unit
}

// ChatDeputy is what the quick path needs to answer a read-only command:
// the deputy bound to an openid (DeputyID 0 when none), whether their term
// has ended and whether a conversation is under way.
type ChatDeputy struct {
	DeputyID       int64
	Ended          bool
	InConversation bool
}
