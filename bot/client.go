package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
	"github.com/sirupsen/logrus"

	"deputybot/model"
)

// Why the Client makes its own HTTP calls instead of calling
// Template.Send, Manager.Send, Menu and User of github.com/silenceper/wechat/v2:
//
//   - the SDK sends through the package globals util.DefaultHTTPClient and
//     util.SetURIModifier, so two Clients with different api_base in one
//     process (tests, the simulator next to a real account) cannot coexist;
//   - those calls take no context, so a shutdown or a dispatcher deadline
//     cannot cancel them;
//   - their errors are fmt strings that embed the request URI, access token
//     included, and drop the difference between "never sent" and "sent,
//     answer lost" that delivery needs (see ErrClass);
//   - a rejected token (40001/42001) is not refreshed and retried.
//
// The SDK is still used for what is safe: its request and answer structs
// (message.TemplateMessage, message.CustomerMessage, credential.ResAccessToken,
// util.CommonError), its callback crypto elsewhere in package bot, and an
// *officialaccount.OfficialAccount wired to this Client's token and api_base
// for any other SDK feature (see OfficialAccount).

// DefaultAPIBase is where WeChat's API lives.
const DefaultAPIBase = "https://api.weixin.qq.com"

// KV is the shared key-value store holding the access token; *storage.DB
// implements it. KVGet reports a missing or expired key with an error
// wrapping model.ErrNotFound.
type KV interface {
	KVGet(ctx context.Context, key string) (string, error)
	KVSet(ctx context.Context, key, value string, ttl time.Duration) error
	KVDelete(ctx context.Context, key string) error
}

// ClientConfig configures a Client. APIBase defaults to DefaultAPIBase and
// may carry a path prefix (http://127.0.0.1:8080/sim); Timeout bounds each
// HTTP call and defaults to 10 s.
type ClientConfig struct {
	AppID, AppSecret, Token, EncodingAESKey, APIBase string
	Timeout                                          time.Duration
}

// Client sends to WeChat: template and customer-service messages, menus,
// user info, with the access token shared through a KV. It is safe for
// concurrent use.
type Client struct {
	cfg    ClientConfig
	base   string // APIBase without trailing slash
	http   *http.Client
	tokens *clientTokens
	oa     *officialaccount.OfficialAccount
	log    *slog.Logger
}

// NewClient returns a Client for the account in cfg. It makes no network
// call; the first call fetches (or reads from kv) the access token.
func NewClient(cfg ClientConfig, kv KV) (*Client, error) {
	if cfg.AppID == "" || cfg.AppSecret == "" {
		return nil, errors.New("bot: wechat client: app_id and app_secret are required")
	}
	if kv == nil {
		return nil, errors.New("bot: wechat client: a KV store is required")
	}
	if cfg.APIBase == "" {
		cfg.APIBase = DefaultAPIBase
	}
	u, err := url.Parse(cfg.APIBase)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("bot: wechat client: api_base %q must be an http(s) URL without query", cfg.APIBase)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	// The SDK logs with logrus; its callback server logs raw message
	// bodies at Debug, which must never happen.
	logrus.SetLevel(logrus.WarnLevel)

	c := &Client{
		cfg:  cfg,
		base: strings.TrimRight(cfg.APIBase, "/"),
		http: &http.Client{Timeout: cfg.Timeout, Transport: clientNewTransport()},
		log:  slog.Default().With("component", "wechat"),
	}
	c.tokens = newClientTokens(cfg.AppID, kv, c.fetchStableToken, c.log)
	c.oa = newClientOfficialAccount(c, kv)
	clientRegisterSDK(c)
	return c, nil
}

// clientNewTransport returns a transport of our own (proxy settings from the
// environment kept), with enough idle connections for parallel sends.
func clientNewTransport() *http.Transport {
	tr, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	tr = tr.Clone()
	tr.MaxIdleConnsPerHost = 32
	return tr
}

// AppID returns the account's AppID.
func (c *Client) AppID() string { return c.cfg.AppID }

// APIBase returns where the Client sends its calls.
func (c *Client) APIBase() string { return c.base }

// AccessToken returns the shared access token, fetching one if needed.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	return c.tokens.get(ctx)
}

// clientRequest is one WeChat API call.
type clientRequest struct {
	op     string     // short name for errors, e.g. "message/template/send"
	method string     // GET or POST
	query  url.Values // besides access_token
	body   any        // JSON-encoded for POST
	// idempotent calls (reads, menu replacement, tokens) reach no user,
	// so a lost answer is retryable rather than unknown.
	idempotent bool
	// replayable calls may go out twice without effect (WeChat drops a
	// repeated client_msg_id) but still report a lost answer as unknown.
	replayable bool
	// media calls answer with a file's bytes, or with JSON for an error;
	// up to model.MaxFileSize is read.
	media bool
}

// call performs r with the shared access token; when WeChat rejects the
// token it refreshes it and retries once. It returns the raw answer of a
// successful call (errcode 0 or absent).
func (c *Client) call(ctx context.Context, r clientRequest) ([]byte, error) {
	tok, err := c.tokens.get(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := c.do(ctx, r, tok)
	if Classify(err) != ClassTokenInvalid {
		return raw, err
	}
	c.log.Info("wechat: access token rejected; refreshing", "op", r.op, "err", err)
	if tok, err = c.tokens.refresh(ctx, tok); err != nil {
		return nil, err
	}
	return c.do(ctx, r, tok)
}

// do sends r once. token "" sends no access_token (stable_token).
func (c *Client) do(ctx context.Context, r clientRequest, token string) ([]byte, error) {
	q := url.Values{}
	for k, v := range r.query {
		q[k] = v
	}
	if token != "" {
		q.Set("access_token", token)
	}
	target := c.base + "/cgi-bin/" + r.op
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	var body io.Reader
	if r.method == http.MethodPost {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // WeChat shows "&" literally, not as \u0026
		if err := enc.Encode(r.body); err != nil {
			return nil, &APIError{Class: ClassPermanent, Msg: "encode request: " + err.Error(), Op: r.op}
		}
		body = &buf
	}
	// wrote records whether the whole request reached the connection: an
	// error before that means WeChat cannot have acted on it.
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			wrote.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), r.method, target, body)
	if err != nil {
		return nil, &APIError{Class: ClassPermanent, Msg: "build request", Op: r.op}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if r.idempotent || r.replayable {
		// A nil X-Idempotency-Key is not sent but lets net/http replay the
		// request when a kept-alive connection turns out to be dead.
		req.Header["X-Idempotency-Key"] = nil
	}
	limit := int64(4 << 20)
	if r.media {
		limit = model.MaxFileSize + 1
	}
	raw, err := c.exchange(r.op, req, &wrote, limit)
	if err != nil {
		var ae *APIError
		if r.idempotent && errors.As(err, &ae) && ae.Class == ClassUnknown {
			ae.Class = ClassRetryable
		}
		return nil, err
	}
	if r.media && !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return raw, nil
	}
	var ce util.CommonError
	if err := json.Unmarshal(raw, &ce); err != nil {
		// WeChat acted (or not) and answered garbage: cannot tell which.
		class := ClassUnknown
		if r.idempotent {
			class = ClassRetryable
		}
		return nil, &APIError{Class: class, Msg: "unreadable answer", Op: r.op}
	}
	if ce.ErrCode != 0 {
		return nil, clientCodeError(r.op, int(ce.ErrCode), ce.ErrMsg)
	}
	return raw, nil
}

// exchange sends req and reads the answer of a 200 response.
func (c *Client) exchange(op string, req *http.Request, wrote *atomic.Bool, limit int64) ([]byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, clientTransportError(op, err, wrote.Load())
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, clientTransportError(op, err, true)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, clientHTTPError(op, resp.StatusCode)
	}
	return raw, nil
}

// clientTransportError classifies a failed exchange. The *url.Error is
// unwrapped because its text holds the URL, and with it the access token
// and sometimes an openid.
func clientTransportError(op string, err error, wrote bool) *APIError {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	class := ClassUnknown
	if !wrote {
		class = ClassRetryable
	}
	return &APIError{Class: class, Msg: clientSecretRE.ReplaceAllString(cause.Error(), "$1=…"), Op: op, cause: cause}
}

// fetchStableToken calls /cgi-bin/stable_token.
func (c *Client) fetchStableToken(ctx context.Context, force bool) (string, time.Duration, error) {
	raw, err := c.do(ctx, clientRequest{op: "stable_token", method: http.MethodPost, body: map[string]any{
		"grant_type":    "client_credential",
		"appid":         c.cfg.AppID,
		"secret":        c.cfg.AppSecret,
		"force_refresh": force,
	}, idempotent: true}, "")
	if err != nil {
		return "", 0, err
	}
	var res credential.ResAccessToken
	if err := json.Unmarshal(raw, &res); err != nil || res.AccessToken == "" {
		return "", 0, &APIError{Class: ClassRetryable, Msg: "answer without access_token", Op: "stable_token"}
	}
	return res.AccessToken, time.Duration(res.ExpiresIn) * time.Second, nil
}

// TemplateField is one keyword of a template message. Since 2023-05 WeChat
// takes at most 20 characters per value and no line breaks.
type TemplateField struct {
	Key, Value string
}

// TemplateMessage is a template message to one follower. ClientMsgID makes
// WeChat drop a repeat to the same openid within 10 minutes: reuse it when
// retrying after ClassUnknown.
type TemplateMessage struct {
	ToUser, TemplateID, URL string
	Data                    []TemplateField
	ClientMsgID             string
}

// clientTemplateBody is the template/send request. The SDK's
// message.TemplateMessage always sends an empty "miniprogram" object and a
// colour WeChat no longer uses; this sends only the documented fields.
type clientTemplateBody struct {
	ToUser      string                               `json:"touser"`
	TemplateID  string                               `json:"template_id"`
	URL         string                               `json:"url,omitempty"`
	Data        map[string]*message.TemplateDataItem `json:"data"`
	ClientMsgID string                               `json:"client_msg_id,omitempty"`
}

// SendTemplate sends a template message and returns WeChat's msgid, which
// the TEMPLATESENDJOBFINISH event later reports on.
func (c *Client) SendTemplate(ctx context.Context, m TemplateMessage) (int64, error) {
	const op = "message/template/send"
	if m.ToUser == "" || m.TemplateID == "" {
		return 0, &APIError{Class: ClassPermanent, Msg: "recipient and template_id are required", Op: op}
	}
	data := make(map[string]*message.TemplateDataItem, len(m.Data))
	for _, f := range m.Data {
		data[f.Key] = &message.TemplateDataItem{Value: f.Value}
	}
	raw, err := c.call(ctx, clientRequest{op: op, method: http.MethodPost, body: clientTemplateBody{
		ToUser: m.ToUser, TemplateID: m.TemplateID, URL: m.URL, Data: data, ClientMsgID: m.ClientMsgID,
	}, replayable: m.ClientMsgID != ""})
	if err != nil {
		return 0, err
	}
	var res struct {
		MsgID int64 `json:"msgid"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return 0, &APIError{Class: ClassUnknown, Msg: "unreadable msgid", Op: op}
	}
	return res.MsgID, nil
}

// Article is one item of a news (图文) customer message; WeChat accepts one.
type Article struct {
	Title, Description, URL, PicURL string
}

// MenuItem is one choice of a menu customer message; a tap sends ID back
// as the user's message (bizmsgmenuid) with Content as its text.
type MenuItem struct {
	ID, Content string
}

// SendText sends a customer-service text message (48-hour window).
func (c *Client) SendText(ctx context.Context, openid, text string) error {
	return c.sendCustom(ctx, message.NewCustomerTextMessage(openid, text))
}

// SendNews sends a customer-service news message (48-hour window).
func (c *Client) SendNews(ctx context.Context, openid string, articles []Article) error {
	news := &message.MediaNews{Articles: make([]message.MediaArticles, 0, len(articles))}
	for _, a := range articles {
		news.Articles = append(news.Articles, message.MediaArticles{
			Title: a.Title, Description: a.Description, URL: a.URL, Picurl: a.PicURL})
	}
	return c.sendCustom(ctx, &message.CustomerMessage{ToUser: openid, Msgtype: message.MsgTypeNews, News: news})
}

// SendMenu sends a customer-service menu message: head, tappable items, tail.
func (c *Client) SendMenu(ctx context.Context, openid, head string, items []MenuItem, tail string) error {
	menu := &message.MediaMsgmenu{HeadContent: head, TailContent: tail, List: make([]message.MsgmenuItem, 0, len(items))}
	for _, it := range items {
		menu.List = append(menu.List, message.MsgmenuItem{ID: it.ID, Content: it.Content})
	}
	return c.sendCustom(ctx, &message.CustomerMessage{ToUser: openid, Msgtype: "msgmenu", Msgmenu: menu})
}

func (c *Client) sendCustom(ctx context.Context, m *message.CustomerMessage) error {
	const op = "message/custom/send"
	if m.ToUser == "" {
		return &APIError{Class: ClassPermanent, Msg: "recipient is required", Op: op}
	}
	_, err := c.call(ctx, clientRequest{op: op, method: http.MethodPost, body: m})
	return err
}

// CreateMenu replaces the account's custom menu with menuJSON, the body of
// /cgi-bin/menu/create ({"button":[...]}; the SDK's menu.Button marshals
// to it), and returns WeChat's answer.
func (c *Client) CreateMenu(ctx context.Context, menuJSON []byte) (string, error) {
	const op = "menu/create"
	if !json.Valid(menuJSON) {
		return "", &APIError{Class: ClassPermanent, Msg: "menu is not valid JSON", Op: op}
	}
	raw, err := c.call(ctx, clientRequest{op: op, method: http.MethodPost, body: json.RawMessage(menuJSON), idempotent: true})
	return strings.TrimSpace(string(raw)), err
}

// GetMenu returns the account's custom menu as WeChat's raw JSON answer.
func (c *Client) GetMenu(ctx context.Context) (string, error) {
	raw, err := c.call(ctx, clientRequest{op: "menu/get", method: http.MethodGet, idempotent: true})
	return strings.TrimSpace(string(raw)), err
}

// FetchMedia downloads a temporary media file (an image or voice a user
// sent, by its MediaId) through /cgi-bin/media/get.
func (c *Client) FetchMedia(ctx context.Context, mediaID string) ([]byte, error) {
	const op = "media/get"
	if mediaID == "" {
		return nil, &APIError{Class: ClassPermanent, Msg: "media_id is required", Op: op}
	}
	raw, err := c.call(ctx, clientRequest{op: op, method: http.MethodGet, query: url.Values{"media_id": {mediaID}},
		idempotent: true, media: true})
	if err != nil {
		return nil, err
	}
	if len(raw) > model.MaxFileSize {
		return nil, &APIError{Class: ClassPermanent, Msg: "media file too large", Op: op}
	}
	return raw, nil
}

// UserInfo is what the Client reads about a user.
type UserInfo struct {
	Subscribed    bool
	OpenID        string
	Nickname      string // WeChat no longer fills it for new apps
	SubscribeTime time.Time
}

// UserInfo reads whether openid follows the account and since when.
func (c *Client) UserInfo(ctx context.Context, openid string) (UserInfo, error) {
	const op = "user/info"
	if openid == "" {
		return UserInfo{}, &APIError{Class: ClassPermanent, Msg: "openid is required", Op: op}
	}
	raw, err := c.call(ctx, clientRequest{op: op, method: http.MethodGet,
		query: url.Values{"openid": {openid}, "lang": {"zh_CN"}}, idempotent: true})
	if err != nil {
		return UserInfo{}, err
	}
	var res struct {
		Subscribe     int    `json:"subscribe"`
		OpenID        string `json:"openid"`
		Nickname      string `json:"nickname"`
		SubscribeTime int64  `json:"subscribe_time"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return UserInfo{}, &APIError{Class: ClassRetryable, Msg: "unreadable answer", Op: op}
	}
	info := UserInfo{Subscribed: res.Subscribe == 1, OpenID: res.OpenID, Nickname: res.Nickname}
	if res.SubscribeTime > 0 {
		info.SubscribeTime = time.Unix(res.SubscribeTime, 0)
	}
	return info, nil
}
