package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"deputybot/model"
	"deputybot/obs"
)

// Access tokens come from /cgi-bin/stable_token and live in the shared KV
// table, so every instance uses the same one: a plain /cgi-bin/token fetch
// from one instance would cut the others' tokens short. stable_token without
// force_refresh hands every caller the same token while it is valid, so even
// two instances fetching at once do not disturb each other.
//
// Inside a process, fetches for one AppID are serialised (clientFetchLock),
// and each Client keeps the token in memory for a short while so a send does
// not cost a database read; a token another instance replaced shows up as
// 40001 and is then re-read from the KV.

const (
	// clientTokenMargin is subtracted from expires_in before caching, so
	// a cached token is never used in its last minutes.
	clientTokenMargin = 5 * time.Minute
	// clientTokenMemory bounds how long a token read from the KV is kept
	// in memory before the KV is consulted again.
	clientTokenMemory = time.Minute
)

// clientFetchLocks maps AppID to a one-slot channel used as a mutex that
// honours context cancellation.
var clientFetchLocks sync.Map

func clientFetchLock(appID string) chan struct{} {
	l, _ := clientFetchLocks.LoadOrStore(appID, make(chan struct{}, 1))
	return l.(chan struct{})
}

// clientTokenFetch asks WeChat for a token; ttl is its expires_in.
type clientTokenFetch func(ctx context.Context, force bool) (token string, ttl time.Duration, err error)

// clientTokens is one Client's view of the shared access token.
type clientTokens struct {
	key   string
	kv    KV
	fetch clientTokenFetch
	lock  chan struct{}
	log   *slog.Logger
	now   func() time.Time

	mu  sync.Mutex
	tok string
	exp time.Time
}

func newClientTokens(appID string, kv KV, fetch clientTokenFetch, log *slog.Logger) *clientTokens {
	return &clientTokens{
		key:   "wechat:access_token:" + appID,
		kv:    kv,
		fetch: fetch,
		lock:  clientFetchLock(appID),
		log:   log,
		now:   time.Now,
	}
}

// current returns the token held in memory, or "" when none is fresh.
func (t *clientTokens) current() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == "" || !t.now().Before(t.exp) {
		return ""
	}
	return t.tok
}

func (t *clientTokens) remember(tok string, ttl time.Duration) {
	t.mu.Lock()
	t.tok, t.exp = tok, t.now().Add(ttl)
	t.mu.Unlock()
}

func (t *clientTokens) forget(tok string) {
	t.mu.Lock()
	if t.tok == tok {
		t.tok = ""
	}
	t.mu.Unlock()
}

func (t *clientTokens) acquire(ctx context.Context) (release func(), err error) {
	select {
	case t.lock <- struct{}{}:
		return func() { <-t.lock }, nil
	case <-ctx.Done():
		return nil, &APIError{Class: ClassRetryable, Msg: "waiting for token: " + ctx.Err().Error(),
			Op: "stable_token", cause: ctx.Err()}
	}
}

// get returns a valid-looking token: memory, then the KV, then WeChat.
func (t *clientTokens) get(ctx context.Context) (string, error) {
	if tok := t.current(); tok != "" {
		return tok, nil
	}
	release, err := t.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	if tok := t.current(); tok != "" {
		return tok, nil
	}
	if tok := t.fromKV(ctx); tok != "" {
		t.remember(tok, clientTokenMemory)
		return tok, nil
	}
	return t.fetchAndStore(ctx, "")
}

// refresh replaces bad, a token WeChat rejected, and returns its successor.
func (t *clientTokens) refresh(ctx context.Context, bad string) (string, error) {
	release, err := t.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	t.forget(bad)
	if tok := t.current(); tok != "" {
		return tok, nil // another goroutine already refreshed
	}
	if tok := t.fromKV(ctx); tok != "" && tok != bad {
		t.remember(tok, clientTokenMemory)
		return tok, nil // another instance already refreshed
	}
	if err := t.kv.KVDelete(ctx, t.key); err != nil {
		t.log.Warn("wechat: drop cached access token", "err", err)
	}
	return t.fetchAndStore(ctx, bad)
}

// fromKV returns the shared token or "". A database error is logged and
// treated as a miss: stable_token returns the same token to every caller,
// so fetching it costs quota but never invalidates other instances.
func (t *clientTokens) fromKV(ctx context.Context) string {
	tok, err := t.kv.KVGet(ctx, t.key)
	if err != nil {
		if !errors.Is(err, model.ErrNotFound) {
			t.log.Warn("wechat: read cached access token", "err", err)
		}
		return ""
	}
	return tok
}

// fetchAndStore gets a token from WeChat. When the non-forced stable_token
// hands back bad again (it was revoked by someone else's force refresh or
// a plain /cgi-bin/token call), it forces a new one; force_refresh is
// rate limited by WeChat, so it is the last resort.
func (t *clientTokens) fetchAndStore(ctx context.Context, bad string) (string, error) {
	tok, ttl, err := t.fetch(ctx, false)
	if err == nil && bad != "" && tok == bad {
		t.log.Warn("wechat: stable_token returned the rejected token; forcing a refresh")
		obs.TokenStale()
		tok, ttl, err = t.fetch(ctx, true)
	}
	obs.TokenRefresh(err)
	if err != nil {
		return "", err
	}
	ttl = clientCacheTTL(ttl)
	if err := t.kv.KVSet(ctx, t.key, tok, ttl); err != nil {
		t.log.Warn("wechat: store access token", "err", err)
	}
	t.remember(tok, ttl)
	t.log.Info("wechat: access token fetched", "ttl", ttl.Round(time.Second).String())
	return tok, nil
}

// clientCacheTTL turns expires_in into how long to cache the token.
func clientCacheTTL(expiresIn time.Duration) time.Duration {
	if expiresIn <= 0 {
		expiresIn = 7200 * time.Second
	}
	if expiresIn <= 2*clientTokenMargin {
		return expiresIn / 2
	}
	return expiresIn - clientTokenMargin
}
