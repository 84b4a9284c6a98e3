package storage

import (
	"context"
	"slices"
	"sync"

	"deputybot/model"
)

// A chat message reads the same rows several times on its way through the
// router, the flow and the use case it reaches: the deputy behind the
// openid (three times when a command parks a flow), the suggestion being
// rated (to check it may be, then to show it). A read memo keeps those
// rows for the one message.
//
// It is safe because it is short and forgets: a row is kept only when
// read outside a transaction (so never a change that may roll back), and
// every write made with the context — a statement through wq, a
// transaction begun — empties it, so the message never reads its own
// stale row. Writes by others during the message are seen as a single
// read at its start would have seen them.

type memoKey struct{}

type readMemo struct {
	mu          sync.Mutex
	deputies    map[string]model.Deputy // by openid
	suggestions map[int64]model.Suggestion
	rows        map[any]any // other rows, by a key type of their own (memo_rows.go)
}

// WithReadMemo returns ctx carrying a fresh read memo, for the handling of
// one message.
func WithReadMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &readMemo{})
}

func memoOf(ctx context.Context) *readMemo {
	m, _ := ctx.Value(memoKey{}).(*readMemo)
	return m
}

// forget empties ctx's memo, if any: ctx is about to write.
func forget(ctx context.Context) {
	if m := memoOf(ctx); m != nil {
		m.mu.Lock()
		m.deputies, m.suggestions, m.rows = nil, nil, nil
		m.mu.Unlock()
	}
}

func (m *readMemo) deputy(openid string) (model.Deputy, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.deputies[openid]
	d.Tags = slices.Clone(d.Tags)
	return d, ok
}

func (m *readMemo) keepDeputy(ctx context.Context, openid string, d model.Deputy) {
	if txOf(ctx) != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.deputies == nil {
		m.deputies = map[string]model.Deputy{}
	}
	d.Tags = slices.Clone(d.Tags)
	m.deputies[openid] = d
}

func (m *readMemo) suggestion(id int64) (model.Suggestion, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.suggestions[id]
	s.Deputies = slices.Clone(s.Deputies)
	return s, ok
}

func (m *readMemo) keepSuggestion(ctx context.Context, s model.Suggestion) {
	if txOf(ctx) != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.suggestions == nil {
		m.suggestions = map[int64]model.Suggestion{}
	}
	s.Deputies = slices.Clone(s.Deputies)
	m.suggestions[s.ID] = s
}
