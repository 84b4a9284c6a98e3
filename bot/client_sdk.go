package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/util"
)

// This file wires github.com/silenceper/wechat/v2 to the Client, for code
// that uses an SDK feature the Client does not wrap (OAuth for H5 pages,
// JS-SDK tickets, the callback server).

// OfficialAccount returns the SDK account for this Client's AppID: its
// access token is the Client's shared one, its cache is the KV, and its
// HTTP calls go to the Client's api_base. Each lazy getter has been called
// once already, so concurrent use of them does not race.
func (c *Client) OfficialAccount() *officialaccount.OfficialAccount { return c.oa }

func newClientOfficialAccount(c *Client, kv KV) *officialaccount.OfficialAccount {
	oa := officialaccount.NewOfficialAccount(&config.Config{
		AppID:          c.cfg.AppID,
		AppSecret:      c.cfg.AppSecret,
		Token:          c.cfg.Token,
		EncodingAESKey: c.cfg.EncodingAESKey,
		Cache:          clientKVCache{kv: kv},
		UseStableAK:    true,
	})
	oa.SetAccessTokenHandle(clientTokenHandle{c.tokens})
	// The getters build their object on first use without a lock.
	oa.GetBasic()
	oa.GetMenu()
	oa.GetOauth()
	oa.GetMaterial()
	oa.GetDraft()
	oa.GetFreePublish()
	oa.GetJs()
	oa.GetUser()
	oa.GetTemplate()
	oa.GetCustomerMessageManager()
	oa.GetDevice()
	oa.GetBroadcast()
	oa.GetDataCube()
	oa.GetOCR()
	oa.GetSubscribe()
	return oa
}

// clientTokenHandle gives the SDK the Client's shared access token.
type clientTokenHandle struct{ t *clientTokens }

func (h clientTokenHandle) GetAccessToken() (string, error) {
	return h.t.get(context.Background())
}

func (h clientTokenHandle) GetAccessTokenContext(ctx context.Context) (string, error) {
	return h.t.get(ctx)
}

// clientKVCache is the SDK's cache.Cache over the shared KV, so tickets the
// SDK caches are shared by all instances like the access token. The SDK
// only caches strings.
type clientKVCache struct{ kv KV }

const clientSDKCachePrefix = "wechat:sdk:"

func (k clientKVCache) Get(key string) any {
	return k.GetContext(context.Background(), key)
}

func (k clientKVCache) Set(key string, val any, timeout time.Duration) error {
	return k.SetContext(context.Background(), key, val, timeout)
}

func (k clientKVCache) IsExist(key string) bool {
	return k.IsExistContext(context.Background(), key)
}

func (k clientKVCache) Delete(key string) error {
	return k.DeleteContext(context.Background(), key)
}

// GetContext returns the string stored under key, or nil (the SDK's miss).
func (k clientKVCache) GetContext(ctx context.Context, key string) any {
	v, err := k.kv.KVGet(ctx, clientSDKCachePrefix+key)
	if err != nil {
		return nil
	}
	return v
}

func (k clientKVCache) SetContext(ctx context.Context, key string, val any, timeout time.Duration) error {
	s, ok := val.(string)
	if !ok {
		return fmt.Errorf("bot: wechat sdk cache: %T values are not supported", val)
	}
	return k.kv.KVSet(ctx, clientSDKCachePrefix+key, s, timeout)
}

func (k clientKVCache) IsExistContext(ctx context.Context, key string) bool {
	return k.GetContext(ctx, key) != nil
}

func (k clientKVCache) DeleteContext(ctx context.Context, key string) error {
	return k.kv.KVDelete(ctx, clientSDKCachePrefix+key)
}

// The SDK sends every call through the global util.DefaultHTTPClient,
// which has no timeout and always targets api.weixin.qq.com. It is replaced
// once by a client with a timeout whose transport sends each call to the
// api_base of the Client it belongs to, found by the access_token or appid
// in its query, or, when all Clients share one api_base (production), to
// that. A call that cannot be attributed fails rather than leave for the
// real WeChat from a test.

const clientSDKHost = "api.weixin.qq.com"

// clientSDK holds every Client made in the process (a handful in
// production; a test binary's worth at most).
var clientSDK struct {
	once    sync.Once
	mu      sync.Mutex
	clients []*Client // newest last
}

func clientRegisterSDK(c *Client) {
	clientSDK.once.Do(func() {
		util.DefaultHTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: clientSDKTransport{next: clientNewTransport()}}
	})
	clientSDK.mu.Lock()
	clientSDK.clients = append(clientSDK.clients, c)
	clientSDK.mu.Unlock()
}

// clientSDKBase returns the api_base for an SDK call carrying token or appID.
func clientSDKBase(token, appID string) (string, error) {
	clientSDK.mu.Lock()
	clients := append([]*Client(nil), clientSDK.clients...)
	clientSDK.mu.Unlock()
	for i := len(clients) - 1; i >= 0; i-- {
		if c := clients[i]; token != "" && c.tokens.current() == token {
			return c.base, nil
		}
	}
	for i := len(clients) - 1; i >= 0; i-- {
		if c := clients[i]; appID != "" && c.cfg.AppID == appID {
			return c.base, nil
		}
	}
	bases := map[string]bool{}
	for _, c := range clients {
		bases[c.base] = true
	}
	if len(bases) == 1 {
		return clients[0].base, nil
	}
	return "", errors.New("bot: wechat sdk call matches no client's api_base")
}

type clientSDKTransport struct{ next http.RoundTripper }

func (t clientSDKTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != clientSDKHost {
		return t.next.RoundTrip(req)
	}
	q := req.URL.Query()
	base, err := clientSDKBase(q.Get("access_token"), q.Get("appid"))
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	if base == DefaultAPIBase {
		return t.next.RoundTrip(req)
	}
	u, err := url.Parse(base + req.URL.EscapedPath())
	if err != nil {
		return nil, err
	}
	u.RawQuery = req.URL.RawQuery
	r := req.Clone(req.Context()) // shares req's body, as it must
	r.URL, r.Host = u, ""
	return t.next.RoundTrip(r)
}
