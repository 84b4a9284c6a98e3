package storage

import (
	"context"

	"deputybot/model"
)

// The chat's answer to an invitation or a rating request reads the row
// it answers once to tell whether the reply answers it, again to start
// the flow and again for its first question; the router reads the
// conversation, and the flow it starts reads it again to replace it. The
// read memo keeps those rows for the message too, under the same rules
// (memo.go): kept only when read outside a transaction, forgotten at the
// message's first write (a conversation saved, a stale save too).

type invitationKey struct{ meeting, deputy int64 }

type ratingKey struct{ suggestion, deputy int64 }

type conversationKey struct{ openid string }

// conversationRead is a conversation as read, or that there is none.
type conversationRead struct {
	c     model.Conversation
	found bool
}

// ratingRead is a rating as read, or that there is none (a first rating).
type ratingRead struct {
	r     model.SuggestionRating
	found bool
}

func (m *readMemo) recall(key any) (any, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.rows[key]
	return v, ok
}

// recallAs returns what m keeps under key, as a T; m may be nil.
func recallAs[T any](m *readMemo, key any) (T, bool) {
	var zero T
	if m == nil {
		return zero, false
	}
	v, ok := m.recall(key)
	if !ok {
		return zero, false
	}
	return v.(T), true
}

// keep stores v under key; v must not share memory the caller may change.
func (m *readMemo) keep(ctx context.Context, key, v any) {
	if txOf(ctx) != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rows == nil {
		m.rows = map[any]any{}
	}
	m.rows[key] = v
}

// withOwnMeeting returns inv with a copy of its meeting, so that neither
// the memo nor a caller changes the other's.
func withOwnMeeting(inv model.Invitation) model.Invitation {
	if inv.Meeting != nil {
		m := *inv.Meeting
		inv.Meeting = &m
	}
	return inv
}
