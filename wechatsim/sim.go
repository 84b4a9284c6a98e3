// Package wechatsim is a faithful in-memory fake of the WeChat official-account
// platform: the HTTP API under /cgi-bin/..., the user side that calls the
// bot's callback URL exactly like WeChat does (signed, optionally encrypted,
// with retries), recording of everything the bot sends, fault injection, and a
// phone page for manual chatting. All tests and benchmarks of deputybot use it
// instead of hand-written mocks.
package wechatsim

import (
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	mrand "math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Mode is the callback message security mode configured for the account.
type Mode int

// Callback modes: plaintext, compatible (plaintext and ciphertext) and safe.
const (
	ModePlain Mode = iota
	ModeCompatible
	ModeSafe
)

func (m Mode) String() string {
	switch m {
	case ModePlain:
		return "plain"
	case ModeCompatible:
		return "compatible"
	case ModeSafe:
		return "safe"
	}
	return "unknown"
}

// Config configures a Sim. Zero values get defaults (see New).
type Config struct {
	AppID, AppSecret string
	Token            string           // callback token
	EncodingAESKey   string           // 43 chars; needed for compatible/safe (generated if empty)
	Mode             Mode             // callback security mode
	CallbackURL      string           // the bot's /wechat URL; may be set later with SetCallbackURL
	HTTPClient       *http.Client     // used to call the callback; default has 10 s timeout
	Now              func() time.Time // injected clock; default time.Now
	TokenTTL         time.Duration    // default 7200 s

	// OriginalID is the account's original ID ("gh_..."), the ToUserName of
	// every callback. Default "gh_deputybotsim".
	OriginalID string
	// Seed seeds the random source used by Fault.Rate; same seed, same
	// sequence of decisions. Default 1.
	Seed uint64
	// ReplyTimeout is how long WeChat waits for the callback to answer one
	// delivery (real time, not the injected clock). Default 5 s.
	ReplyTimeout time.Duration
	// Deliveries is how many times a user message is delivered when the
	// callback times out or fails (WeChat: 3 in all). Default 3; 1 disables retries.
	Deliveries int
}

// Message kinds recorded by the simulator.
const (
	KindPassive  = "passive"  // passive reply in the callback response
	KindCustom   = "custom"   // customer-service message (message/custom/send)
	KindTemplate = "template" // template message (message/template/send)
	KindUser     = "user"     // what the user sent (text or event), for the chat view
	KindSystem   = "system"   // notice shown by WeChat itself, e.g. "该公众号暂时无法提供服务"
)

// Article is one item of a news message.
type Article struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
	PicURL      string `json:"picurl"`
}

// MenuItem is one clickable item of a msgmenu customer message.
type MenuItem struct {
	ID      string `json:"id"`
	Content string `json:"content"`
}

// Message is one recorded message in a user's conversation.
type Message struct {
	Seq        int64             `json:"seq"`
	OpenID     string            `json:"openid"`
	Time       time.Time         `json:"time"`
	Kind       string            `json:"kind"`     // "passive" | "custom" | "template" | "user" | "system"
	MsgType    string            `json:"msg_type"` // text, news, msgmenu, template, event, image...
	Text       string            `json:"text,omitempty"`
	Tail       string            `json:"tail,omitempty"` // msgmenu tail_content
	Articles   []Article         `json:"articles,omitempty"`
	MenuItems  []MenuItem        `json:"menu_items,omitempty"` // for msgmenu: id + content
	TemplateID string            `json:"template_id,omitempty"`
	URL        string            `json:"url,omitempty"`
	Fields     map[string]string `json:"fields,omitempty"` // template data values
	FieldOrder []string          `json:"field_order,omitempty"`
	// TemplateTitle and FieldLabels are the template's title and keyword
	// names (thing1 → 事项), as a phone shows them, when SetTemplateInfo
	// described the template.
	TemplateTitle string            `json:"template_title,omitempty"`
	FieldLabels   map[string]string `json:"field_labels,omitempty"`
	MsgID         int64             `json:"msg_id,omitempty"` // template msgid (or the user's MsgId)
	Status        string            `json:"status,omitempty"` // for template: job finish status sent
	Event         string            `json:"event,omitempty"`  // for user events: subscribe, CLICK...
	EventKey      string            `json:"event_key,omitempty"`
}

// UserInfo describes a simulated user.
type UserInfo struct {
	OpenID          string    `json:"openid"`
	Nickname        string    `json:"nickname"`
	Following       bool      `json:"following"`
	SubscribeTime   time.Time `json:"subscribe_time"`
	LastInteraction time.Time `json:"last_interaction"`
}

// Fault describes an injected failure of the API side.
type Fault struct {
	Path             string        // e.g. "/cgi-bin/message/template/send"; "" = all API paths
	ErrCode          int           // e.g. -1, 45009, 40001; 0 = no error (latency/timeout only)
	Rate             float64       // probability per request in (0,1); 0 or >=1 means every request
	Latency          time.Duration // added before answering (real time)
	TimeoutAfterRead bool          // perform the effect, then never answer until the client gives up
	Count            int           // if >0, apply to only the next Count matching requests
}

type faultState struct {
	f         Fault
	remaining int // <0: unlimited
}

type tokenInfo struct {
	exp     time.Time
	revoked bool
}

type dedupeEntry struct {
	msgID int64
	at    time.Time
}

type dedupeKey struct{ openid, clientID string }

type userState struct {
	openid        string
	nickname      string
	following     bool
	subscribeTime time.Time
	last          time.Time // last message or event from the user
	msgAt         time.Time // last user message: 5 customer messages within 48 h
	msgLeft       int
	evtAt         time.Time // last click/follow/scan: 3 customer messages within 1 min
	evtLeft       int
	jobStatus     string // TEMPLATESENDJOBFINISH status; "" = success
	lastUserMsgID int64
	lastReq       *rawRequest
}

// Sim is the fake WeChat platform. Create it with New; it is safe for
// concurrent use.
type Sim struct {
	cfg    Config
	client *http.Client

	mu          sync.Mutex
	callbackURL string
	users       map[string]*userState
	userOrder   []string
	msgs        map[string][]Message
	waiters     map[string]chan struct{}
	seq         int64
	nextUserMsg int64
	nextTplMsg  int64

	tokens       map[string]*tokenInfo
	lastToken    string // last token from /cgi-bin/token
	stableToken  string
	tokenFetches int

	faults []*faultState
	rnd    *rand.Rand

	menu      []Button
	templates map[string]bool // nil: any non-empty template_id is accepted
	tplInfo   map[string]TemplateInfo

	dedupe      map[dedupeKey]dedupeEntry
	dedupeQueue []dedupeQueued

	templateSends int
	quotaDay      string
	quotaUsed     int
	quotaLimit    int
	pathCalls     map[string]int
	media         map[string]media // temporary media by MediaId

	jobReports   bool
	jobDelivered int
	jobFailed    int
	closed       bool
	bgCtx        context.Context
	bgCancel     context.CancelFunc
	pending      int           // background reports in flight
	idle         chan struct{} // closed when pending drops to 0
	sem          chan struct{}
}

type dedupeQueued struct {
	key dedupeKey
	at  time.Time
}

// New creates a simulator. Missing AppID, AppSecret, Token and EncodingAESKey
// get usable defaults (read them back with Config).
func New(cfg Config) *Sim {
	if cfg.AppID == "" {
		cfg.AppID = "wxd3b0t0000000sim"
	}
	if cfg.AppSecret == "" {
		cfg.AppSecret = "deputybot-sim-secret"
	}
	if cfg.Token == "" {
		cfg.Token = "deputybotsimtoken"
	}
	if cfg.EncodingAESKey == "" {
		k := make([]byte, 32)
		_, _ = crand.Read(k)
		cfg.EncodingAESKey = base64.StdEncoding.EncodeToString(k)[:43]
	}
	if cfg.OriginalID == "" {
		cfg.OriginalID = "gh_deputybotsim"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 7200 * time.Second
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.ReplyTimeout <= 0 {
		cfg.ReplyTimeout = 5 * time.Second
	}
	if cfg.Deliveries <= 0 {
		cfg.Deliveries = 3
	}
	client := cfg.HTTPClient
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		client = &http.Client{Timeout: 10 * time.Second, Transport: tr}
		cfg.HTTPClient = client
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Sim{
		cfg:         cfg,
		client:      client,
		callbackURL: cfg.CallbackURL,
		users:       map[string]*userState{},
		msgs:        map[string][]Message{},
		waiters:     map[string]chan struct{}{},
		// Real MsgIds are unique across the platform; a random base keeps
		// two simulators on one database (a restart test) from colliding.
		nextUserMsg: 6054768590064713728 + int64(mrand.Uint64()>>28)*1000,
		nextTplMsg:  2000000000,
		tokens:      map[string]*tokenInfo{},
		rnd:         rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		dedupe:      map[dedupeKey]dedupeEntry{},
		quotaLimit:  100000,
		pathCalls:   map[string]int{},
		jobReports:  true,
		bgCtx:       ctx,
		bgCancel:    cancel,
		sem:         make(chan struct{}, 32),
	}
}

// Config returns the effective configuration (with defaults filled in).
func (s *Sim) Config() Config { return s.cfg }

// SetCallbackURL sets the bot's callback URL (its /wechat endpoint).
func (s *Sim) SetCallbackURL(u string) {
	s.mu.Lock()
	s.callbackURL = u
	s.mu.Unlock()
}

// CallbackURL returns the current callback URL.
func (s *Sim) CallbackURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callbackURL
}

// Close stops background work (TEMPLATESENDJOBFINISH reports) and waits for
// in-flight reports to finish. The API keeps answering afterwards but no
// more reports are sent.
func (s *Sim) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.bgCancel()
	_ = s.Flush(context.Background())
}

// Flush waits until all TEMPLATESENDJOBFINISH reports started so far have
// been delivered (or failed), or ctx is done.
func (s *Sim) Flush(ctx context.Context) error {
	s.mu.Lock()
	if s.pending == 0 {
		s.mu.Unlock()
		return nil
	}
	ch := s.idle
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Sim) now() time.Time { return s.cfg.Now() }

// startBgLocked registers one background task; false after Close.
func (s *Sim) startBgLocked() bool {
	if s.closed {
		return false
	}
	if s.pending == 0 {
		s.idle = make(chan struct{})
	}
	s.pending++
	return true
}

func (s *Sim) endBg() {
	s.mu.Lock()
	s.pending--
	if s.pending == 0 {
		close(s.idle)
	}
	s.mu.Unlock()
}

// --- recording -------------------------------------------------------------

// recordLocked appends m to its user's conversation and wakes waiters.
func (s *Sim) recordLocked(m Message) Message {
	s.seq++
	m.Seq = s.seq
	if m.Time.IsZero() {
		m.Time = s.now()
	}
	s.msgs[m.OpenID] = append(s.msgs[m.OpenID], m)
	if ch, ok := s.waiters[m.OpenID]; ok {
		close(ch)
		delete(s.waiters, m.OpenID)
	}
	return m
}

func (s *Sim) waitChanLocked(openid string) chan struct{} {
	ch, ok := s.waiters[openid]
	if !ok {
		ch = make(chan struct{})
		s.waiters[openid] = ch
	}
	return ch
}

// Messages returns the conversation of openid in order: what the user sent
// and everything the bot sent to them.
func (s *Sim) Messages(openid string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs[openid]...)
}

// messagesAfter returns the messages of openid with Seq > after, and a channel
// closed when a new message is recorded for openid.
func (s *Sim) messagesAfter(openid string, after int64) ([]Message, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.msgs[openid]
	i := sort.Search(len(all), func(i int) bool { return all[i].Seq > after })
	if i < len(all) {
		return append([]Message(nil), all[i:]...), nil
	}
	return nil, s.waitChanLocked(openid)
}

// WaitFor waits until a message of openid (already recorded or recorded
// later) matches; a nil match accepts any message. It returns ctx.Err() when
// ctx is done first.
func (s *Sim) WaitFor(ctx context.Context, openid string, match func(Message) bool) (Message, error) {
	idx := 0
	for {
		s.mu.Lock()
		all := s.msgs[openid]
		var pending []Message
		if idx < len(all) {
			pending = append(pending, all[idx:]...)
			idx = len(all)
		}
		ch := s.waitChanLocked(openid)
		s.mu.Unlock()
		for _, m := range pending {
			if match == nil || match(m) {
				return m, nil
			}
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		}
	}
}

// Users returns all simulated users in creation order.
func (s *Sim) Users() []UserInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]UserInfo, 0, len(s.userOrder))
	for _, id := range s.userOrder {
		out = append(out, s.users[id].info())
	}
	return out
}

func (u *userState) info() UserInfo {
	return UserInfo{OpenID: u.openid, Nickname: u.nickname, Following: u.following,
		SubscribeTime: u.subscribeTime, LastInteraction: u.last}
}

// TemplateSends returns the number of accepted template sends (deduplicated
// sends are not counted twice).
func (s *Sim) TemplateSends() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.templateSends
}

// TokenFetches returns how many access tokens were fetched (token and
// stable_token calls that succeeded).
func (s *Sim) TokenFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenFetches
}

// JobReports returns how many TEMPLATESENDJOBFINISH reports the callback
// accepted (HTTP 200) and how many failed.
func (s *Sim) JobReports() (delivered, failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jobDelivered, s.jobFailed
}

// SetJobFinishReports turns the asynchronous TEMPLATESENDJOBFINISH reports on
// (default) or off.
func (s *Sim) SetJobFinishReports(on bool) {
	s.mu.Lock()
	s.jobReports = on
	s.mu.Unlock()
}

// Job finish statuses WeChat reports.
const (
	JobSuccess      = "success"
	JobUserBlock    = "failed:user block"
	JobSystemFailed = "failed: system failed"
)

// SetJobFinishStatus sets the TEMPLATESENDJOBFINISH status reported for
// template sends to openid ("" or JobSuccess, JobUserBlock, JobSystemFailed).
func (s *Sim) SetJobFinishStatus(openid, status string) {
	s.mu.Lock()
	s.userLocked(openid).jobStatus = status
	s.mu.Unlock()
}

// SetTemplates restricts template sends to the given template IDs (others
// get 40037). Without a call any non-empty template_id is accepted.
func (s *Sim) SetTemplates(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates = map[string]bool{}
	for _, id := range ids {
		s.templates[id] = true
	}
}

// TemplateInfo is what a phone shows of a template: its title and the
// names of its keywords, by key (thing1 → 事项).
type TemplateInfo struct {
	Title    string
	Keywords map[string]string
}

// SetTemplateInfo describes template id, so the phone page shows its
// title and keyword names instead of the raw id and keys.
func (s *Sim) SetTemplateInfo(id string, info TemplateInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tplInfo == nil {
		s.tplInfo = map[string]TemplateInfo{}
	}
	s.tplInfo[id] = info
}

// SetDailyQuota changes the template-send daily limit (default 100,000).
func (s *Sim) SetDailyQuota(n int) {
	s.mu.Lock()
	s.quotaLimit = n
	s.mu.Unlock()
}

// --- faults ----------------------------------------------------------------

// AddFault injects a fault into the API side.
func (s *Sim) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rem := -1
	if f.Count > 0 {
		rem = f.Count
	}
	s.faults = append(s.faults, &faultState{f: f, remaining: rem})
}

// ClearFaults removes all injected faults.
func (s *Sim) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// Faults returns the active faults (Count holds the remaining count).
func (s *Sim) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, 0, len(s.faults))
	for _, fs := range s.faults {
		f := fs.f
		if fs.remaining >= 0 {
			f.Count = fs.remaining
		}
		out = append(out, f)
	}
	return out
}

type faultEffect struct {
	latency time.Duration
	errcode int
	hang    bool
}

// applyFaults decides which faults fire for one request to path.
func (s *Sim) applyFaults(path string) faultEffect {
	var e faultEffect
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return e
	}
	kept := s.faults[:0]
	for _, fs := range s.faults {
		keep := true
		if fs.f.Path == "" || fs.f.Path == path {
			fire := true
			if r := fs.f.Rate; r > 0 && r < 1 {
				fire = s.rnd.Float64() < r
			}
			if fire {
				e.latency += fs.f.Latency
				if e.errcode == 0 {
					e.errcode = fs.f.ErrCode
				}
				e.hang = e.hang || fs.f.TimeoutAfterRead
				if fs.remaining > 0 {
					fs.remaining--
					keep = fs.remaining > 0
				}
			}
		}
		if keep {
			kept = append(kept, fs)
		}
	}
	for i := len(kept); i < len(s.faults); i++ {
		s.faults[i] = nil
	}
	s.faults = kept
	return e
}

// --- tokens ----------------------------------------------------------------

// ExpireTokens makes every access token issued so far answer 42001.
func (s *Sim) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, t := range s.tokens {
		if t.exp.After(now) {
			t.exp = now
		}
	}
}

func newTokenString() string {
	b := make([]byte, 48)
	_, _ = crand.Read(b)
	return "SIM_" + hex.EncodeToString(b)
}

func (s *Sim) issueTokenLocked() (string, time.Time) {
	tok := newTokenString()
	exp := s.now().Add(s.cfg.TokenTTL)
	s.tokens[tok] = &tokenInfo{exp: exp}
	s.tokenFetches++
	return tok, exp
}

// checkTokenLocked validates an access_token: 40001 unknown or superseded,
// 42001 expired.
func (s *Sim) checkTokenLocked(tok string) *apiError {
	t, ok := s.tokens[tok]
	if tok == "" || !ok || t.revoked {
		return errOf(40001)
	}
	if !s.now().Before(t.exp) {
		return errOf(42001)
	}
	return nil
}

// --- users -----------------------------------------------------------------

func (s *Sim) userLocked(openid string) *userState {
	u, ok := s.users[openid]
	if !ok {
		u = &userState{openid: openid, nickname: "模拟用户" + shortName(openid, len(s.userOrder)+1)}
		s.users[openid] = u
		s.userOrder = append(s.userOrder, openid)
	}
	return u
}

func shortName(openid string, n int) string {
	const prefix = "sim-user-"
	if len(openid) > len(prefix) && openid[:len(prefix)] == prefix {
		return openid[len(prefix):]
	}
	return itoa(int64(n))
}
