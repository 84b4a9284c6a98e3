package wechatsim

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Errors of the user side.
var (
	ErrNotFollowing   = errors.New("wechatsim: user is not following the account (call Follow first)")
	ErrNoCallback     = errors.New("wechatsim: no callback URL set (SetCallbackURL)")
	ErrNoService      = errors.New("wechatsim: callback gave no valid answer; WeChat shows 该公众号暂时无法提供服务")
	ErrReplySignature = errors.New("wechatsim: reply MsgSignature does not verify")
	ErrBadReply       = errors.New("wechatsim: malformed passive reply")
	ErrNoLastRequest  = errors.New("wechatsim: nothing to redeliver")
)

// StatusError reports a callback answer with a non-200 HTTP status.
type StatusError struct{ Status int }

func (e *StatusError) Error() string {
	return fmt.Sprintf("wechatsim: callback answered HTTP %d", e.Status)
}

// NoServiceText is what WeChat shows the user when the account fails to answer.
const NoServiceText = "该公众号暂时无法提供服务，请稍后再试"

// Reply is the bot's answer to one callback delivery.
type Reply struct {
	Status int      // HTTP status of the (last) delivery
	Body   []byte   // raw response body
	Msg    *Message // parsed (decrypted, verified) passive reply; nil for "success"/empty
}

// User is a simulated WeChat user acting on the account.
type User struct {
	s      *Sim
	openid string
}

// User returns the simulated user with this openid, creating it (not
// following) if new.
func (s *Sim) User(openid string) *User {
	s.mu.Lock()
	s.userLocked(openid)
	s.mu.Unlock()
	return &User{s: s, openid: openid}
}

// OpenID returns the user's openid.
func (u *User) OpenID() string { return u.openid }

// SetNickname changes the user's nickname.
func (u *User) SetNickname(name string) {
	u.s.mu.Lock()
	u.s.userLocked(u.openid).nickname = name
	u.s.mu.Unlock()
}

// Info returns the user's current state.
func (u *User) Info() UserInfo {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.s.userLocked(u.openid).info()
}

// interaction tells how a delivery changes the user's state.
type interaction int

const (
	interNone      interaction = iota // no state change (e.g. TEMPLATESENDJOBFINISH)
	interMessage                      // user message: 5 customer messages within 48 h
	interEvent                        // click/scan: 3 customer messages within 1 min
	interSubscribe                    // follow: like interEvent and following = true
	interUnsub                        // unfollow
	interTouch                        // other events (VIEW...): only the 48 h window
)

type rawRequest struct {
	url  string
	body []byte
}

func cdataEscape(s string) string {
	return strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>")
}

func (u *User) header(b *strings.Builder, msgType string, ts int64) {
	fmt.Fprintf(b, "<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[%s]]></MsgType>",
		cdataEscape(u.s.cfg.OriginalID), cdataEscape(u.openid), ts, msgType)
}

func (u *User) eventXML(event, key string, extra string) []byte {
	var b strings.Builder
	u.header(&b, "event", u.s.now().Unix())
	fmt.Fprintf(&b, "<Event><![CDATA[%s]]></Event><EventKey><![CDATA[%s]]></EventKey>%s</xml>",
		event, cdataEscape(key), extra)
	return []byte(b.String())
}

func (u *User) textXML(text string, msgID int64) []byte {
	var b strings.Builder
	u.header(&b, "text", u.s.now().Unix())
	fmt.Fprintf(&b, "<Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>", cdataEscape(text), msgID)
	return []byte(b.String())
}

// Follow subscribes the user to the account (subscribe event).
func (u *User) Follow(ctx context.Context) (Reply, error) {
	return u.interact(ctx, u.eventXML("subscribe", "", ""), interSubscribe, false,
		Message{MsgType: "event", Event: "subscribe", Text: "[关注公众号]"})
}

// Unfollow unsubscribes the user (unsubscribe event). WeChat discards any
// passive reply to it, so none is recorded.
func (u *User) Unfollow(ctx context.Context) (Reply, error) {
	return u.interact(ctx, u.eventXML("unsubscribe", "", ""), interUnsub, false,
		Message{MsgType: "event", Event: "unsubscribe", Text: "[取消关注]"})
}

// SendText sends a text message with a fresh MsgId.
func (u *User) SendText(ctx context.Context, text string) (Reply, error) {
	u.s.mu.Lock()
	u.s.nextUserMsg++
	id := u.s.nextUserMsg
	u.s.mu.Unlock()
	return u.SendTextWithID(ctx, text, id)
}

// SendTextWithID sends a text message with the given MsgId. Sending the same
// id again simulates WeChat re-delivering the message (the user's message is
// not recorded twice).
func (u *User) SendTextWithID(ctx context.Context, text string, msgID int64) (Reply, error) {
	return u.interact(ctx, u.textXML(text, msgID), interMessage, true,
		Message{MsgType: "text", Text: text, MsgID: msgID})
}

// Click sends a CLICK event for a menu button key.
func (u *User) Click(ctx context.Context, key string) (Reply, error) {
	label := key
	if name := u.s.menuName(key); name != "" {
		label = name
	}
	return u.interact(ctx, u.eventXML("CLICK", key, ""), interEvent, true,
		Message{MsgType: "event", Event: "CLICK", EventKey: key, Text: "[点击菜单] " + label})
}

// View sends a VIEW event (the user opened a menu link).
func (u *User) View(ctx context.Context, link string) (Reply, error) {
	return u.interact(ctx, u.eventXML("VIEW", link, ""), interTouch, true,
		Message{MsgType: "event", Event: "VIEW", EventKey: link, Text: "[打开链接] " + link})
}

// Scan simulates scanning a parametric QR code: a subscribe event with
// EventKey "qrscene_<scene>" when not following yet, a SCAN event otherwise.
func (u *User) Scan(ctx context.Context, sceneKey string) (Reply, error) {
	ticket := "<Ticket><![CDATA[gQSIM" + strconv.Itoa(len(sceneKey)) + "]]></Ticket>"
	if !u.Info().Following {
		return u.interact(ctx, u.eventXML("subscribe", "qrscene_"+sceneKey, ticket), interSubscribe, false,
			Message{MsgType: "event", Event: "subscribe", EventKey: "qrscene_" + sceneKey, Text: "[扫码关注] " + sceneKey})
	}
	return u.interact(ctx, u.eventXML("SCAN", sceneKey, ticket), interEvent, false,
		Message{MsgType: "event", Event: "SCAN", EventKey: sceneKey, Text: "[扫码] " + sceneKey})
}

// Deliver sends arbitrary inner XML (signed/encrypted per mode) as if WeChat
// delivered it for this user. When the XML parses, the user's state is updated
// and the message recorded like the typed helpers do.
func (u *User) Deliver(ctx context.Context, rawXML []byte) (Reply, error) {
	var in struct {
		MsgType  string
		Event    string
		EventKey string
		Content  string
		MsgId    int64
	}
	kind := interNone
	var rec *Message
	if xml.Unmarshal(rawXML, &in) == nil && in.MsgType != "" {
		m := Message{MsgType: in.MsgType, Event: in.Event, EventKey: in.EventKey, Text: in.Content, MsgID: in.MsgId}
		switch {
		case in.MsgType != "event":
			kind = interMessage
		case in.Event == "subscribe":
			kind = interSubscribe
		case in.Event == "unsubscribe":
			kind = interUnsub
		case in.Event == "CLICK" || in.Event == "SCAN" || strings.HasPrefix(in.Event, "scancode_"):
			kind = interEvent
		case in.Event == "TEMPLATESENDJOBFINISH":
			kind = interNone
		default:
			kind = interTouch
		}
		if kind != interNone {
			if m.Text == "" {
				m.Text = "[" + in.Event + "] " + in.EventKey
			}
			rec = &m
		}
	}
	return u.deliver(ctx, rawXML, kind, false, rec)
}

// Redeliver re-posts the user's last request byte for byte (same query with
// timestamp, nonce and signatures, same body), like WeChat's retry.
func (u *User) Redeliver(ctx context.Context) (Reply, error) {
	u.s.mu.Lock()
	req := u.s.userLocked(u.openid).lastReq
	u.s.mu.Unlock()
	if req == nil {
		return Reply{}, ErrNoLastRequest
	}
	return u.s.exchange(ctx, u.openid, req, 1, true)
}

// LastCallback returns the user's last request to the callback as WeChat
// sent it: its query (signature, timestamp, nonce and, when encrypted,
// encrypt_type and msg_signature) and its body. The query is what any
// access log of the callback shows; tests of forged and replayed callbacks
// start from it.
func (u *User) LastCallback() (url.Values, []byte, error) {
	u.s.mu.Lock()
	req := u.s.userLocked(u.openid).lastReq
	u.s.mu.Unlock()
	if req == nil {
		return nil, nil, ErrNoLastRequest
	}
	parsed, err := url.Parse(req.url)
	if err != nil {
		return nil, nil, err
	}
	return parsed.Query(), append([]byte(nil), req.body...), nil
}

func (u *User) interact(ctx context.Context, inner []byte, kind interaction, needFollow bool, rec Message) (Reply, error) {
	return u.deliver(ctx, inner, kind, needFollow, &rec)
}

func (u *User) deliver(ctx context.Context, inner []byte, kind interaction, needFollow bool, rec *Message) (Reply, error) {
	s := u.s
	s.mu.Lock()
	us := s.userLocked(u.openid)
	if needFollow && !us.following {
		s.mu.Unlock()
		return Reply{}, ErrNotFollowing
	}
	now := s.now()
	duplicate := kind == interMessage && rec != nil && rec.MsgID != 0 && rec.MsgID == us.lastUserMsgID
	if !duplicate {
		switch kind {
		case interMessage:
			us.msgAt, us.msgLeft = now, 5
			if rec != nil {
				us.lastUserMsgID = rec.MsgID
			}
		case interSubscribe:
			us.following, us.subscribeTime = true, now
			us.evtAt, us.evtLeft = now, 3
		case interEvent:
			us.evtAt, us.evtLeft = now, 3
		case interUnsub:
			us.following = false
		}
		if kind != interNone {
			us.last = now
		}
		if rec != nil {
			m := *rec
			m.OpenID, m.Kind, m.Time = u.openid, KindUser, now
			s.recordLocked(m)
		}
	}
	cb := s.callbackURL
	if cb == "" {
		s.recordLocked(Message{OpenID: u.openid, Kind: KindSystem, MsgType: "text", Text: NoServiceText})
		s.mu.Unlock()
		return Reply{}, ErrNoCallback
	}
	req, err := s.buildCallback(cb, u.openid, inner)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	us.lastReq = req
	s.mu.Unlock()
	return s.exchange(ctx, u.openid, req, s.cfg.Deliveries, kind != interUnsub)
}

// exchange posts req (retrying up to attempts times on timeouts, transport
// errors and 5xx), parses the answer and records the passive reply.
func (s *Sim) exchange(ctx context.Context, openid string, req *rawRequest, attempts int, recordReply bool) (Reply, error) {
	var (
		status int
		body   []byte
		err    error
	)
	for i := 0; i < attempts; i++ {
		actx, cancel := context.WithTimeout(ctx, s.cfg.ReplyTimeout)
		status, body, err = s.post(actx, req)
		cancel()
		if (err == nil && status < 500) || ctx.Err() != nil {
			break
		}
	}
	rep := Reply{Status: status, Body: body}
	fail := func(e error) (Reply, error) {
		s.mu.Lock()
		s.recordLocked(Message{OpenID: openid, Kind: KindSystem, MsgType: "text", Text: NoServiceText})
		s.mu.Unlock()
		return rep, e
	}
	if err != nil {
		return fail(fmt.Errorf("%w: %v", ErrNoService, err))
	}
	if status != http.StatusOK {
		return fail(&StatusError{Status: status})
	}
	msg, err := s.parseReply(openid, body)
	if err != nil {
		return fail(err)
	}
	if msg != nil && recordReply {
		s.mu.Lock()
		m := s.recordLocked(*msg)
		s.mu.Unlock()
		msg = &m
	}
	rep.Msg = msg
	return rep, nil
}

// buildCallback signs (and in compatible/safe mode encrypts) inner XML into
// the request WeChat would send to cb.
func (s *Sim) buildCallback(cb, openid string, inner []byte) (*rawRequest, error) {
	u, err := url.Parse(cb)
	if err != nil {
		return nil, fmt.Errorf("wechatsim: bad callback URL: %w", err)
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	nonce := strconv.FormatUint(uint64(rand.Uint32()), 10)
	q := u.Query()
	q.Set("signature", Signature(s.cfg.Token, ts, nonce))
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	q.Set("openid", openid)
	body := inner
	if s.cfg.Mode != ModePlain {
		enc, err := Encrypt(s.cfg.EncodingAESKey, s.cfg.AppID, inner)
		if err != nil {
			return nil, err
		}
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", Signature(s.cfg.Token, ts, nonce, enc))
		encEl := "<Encrypt><![CDATA[" + enc + "]]></Encrypt>"
		if s.cfg.Mode == ModeSafe {
			body = []byte("<xml><ToUserName><![CDATA[" + cdataEscape(s.cfg.OriginalID) + "]]></ToUserName>" + encEl + "</xml>")
		} else {
			i := bytes.LastIndex(inner, []byte("</xml>"))
			if i < 0 {
				i = len(inner)
			}
			body = make([]byte, 0, len(inner)+len(encEl))
			body = append(body, inner[:i]...)
			body = append(body, encEl...)
			body = append(body, inner[i:]...)
		}
	}
	u.RawQuery = q.Encode()
	return &rawRequest{url: u.String(), body: body}, nil
}

func (s *Sim) post(ctx context.Context, req *rawRequest) (int, []byte, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, req.url, bytes.NewReader(req.body))
	if err != nil {
		return 0, nil, err
	}
	hr.Header.Set("Content-Type", "text/xml")
	hr.Header.Set("User-Agent", "Mozilla/4.0 (wechatsim)")
	resp, err := s.client.Do(hr)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, body, err
	}
	return resp.StatusCode, body, nil
}

type replyXML struct {
	ToUserName   string
	FromUserName string
	CreateTime   int64
	MsgType      string
	Content      string
	ArticleCount int
	Articles     struct {
		Items []struct {
			Title       string
			Description string
			PicUrl      string
			Url         string
		} `xml:"item"`
	}
	Encrypt      string
	MsgSignature string
	TimeStamp    string
	Nonce        string
}

// parseReply decodes a passive reply; encrypted replies are verified
// (MsgSignature) and decrypted. "success" or an empty body gives nil.
func (s *Sim) parseReply(openid string, body []byte) (*Message, error) {
	trim := bytes.TrimSpace(body)
	if len(trim) == 0 || string(trim) == "success" {
		return nil, nil
	}
	var r replyXML
	if err := xml.Unmarshal(trim, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadReply, err)
	}
	if r.Encrypt != "" {
		if s.cfg.Mode == ModePlain {
			return nil, fmt.Errorf("%w: encrypted reply in plaintext mode", ErrBadReply)
		}
		if r.MsgSignature == "" || Signature(s.cfg.Token, r.TimeStamp, r.Nonce, r.Encrypt) != r.MsgSignature {
			return nil, ErrReplySignature
		}
		plain, err := Decrypt(s.cfg.EncodingAESKey, s.cfg.AppID, r.Encrypt)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadReply, err)
		}
		plain = bytes.TrimSpace(plain)
		if len(plain) == 0 || string(plain) == "success" {
			return nil, nil
		}
		r = replyXML{}
		if err := xml.Unmarshal(plain, &r); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadReply, err)
		}
	} else if s.cfg.Mode == ModeSafe {
		return nil, fmt.Errorf("%w: plaintext reply in safe mode", ErrBadReply)
	}
	if r.ToUserName != openid {
		return nil, fmt.Errorf("%w: ToUserName %q, want %q", ErrBadReply, r.ToUserName, openid)
	}
	if r.FromUserName != s.cfg.OriginalID {
		return nil, fmt.Errorf("%w: FromUserName %q, want %q", ErrBadReply, r.FromUserName, s.cfg.OriginalID)
	}
	if r.MsgType == "" {
		return nil, fmt.Errorf("%w: no MsgType", ErrBadReply)
	}
	m := &Message{OpenID: openid, Kind: KindPassive, MsgType: r.MsgType, Time: s.now()}
	switch r.MsgType {
	case "text":
		m.Text = r.Content
	case "news":
		for _, it := range r.Articles.Items {
			m.Articles = append(m.Articles, Article{Title: it.Title, Description: it.Description, URL: it.Url, PicURL: it.PicUrl})
		}
	}
	return m, nil
}

// menuName finds the name of the menu button with this key.
func (s *Sim) menuName(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var find func([]Button) string
	find = func(bs []Button) string {
		for _, b := range bs {
			if b.Key == key && b.Key != "" {
				return b.Name
			}
			if n := find(b.SubButton); n != "" {
				return n
			}
		}
		return ""
	}
	return find(s.menu)
}

// VerifyCallback performs WeChat's server-URL check: a signed GET with an
// echostr that the bot must echo back verbatim.
func (s *Sim) VerifyCallback(ctx context.Context) error {
	cb := s.CallbackURL()
	if cb == "" {
		return ErrNoCallback
	}
	u, err := url.Parse(cb)
	if err != nil {
		return fmt.Errorf("wechatsim: bad callback URL: %w", err)
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	nonce := strconv.FormatUint(uint64(rand.Uint32()), 10)
	echo := strconv.FormatUint(rand.Uint64(), 10)
	q := u.Query()
	q.Set("signature", Signature(s.cfg.Token, ts, nonce))
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	q.Set("echostr", echo)
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ReplyTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return &StatusError{Status: resp.StatusCode}
	}
	if string(bytes.TrimSpace(body)) != echo {
		return fmt.Errorf("wechatsim: callback answered %q, want echostr %q", body, echo)
	}
	return nil
}
