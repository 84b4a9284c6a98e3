package bot

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// Errors of the callback protocol; the HTTP layer maps them to 403.
var (
	ErrBadSignature = errors.New("wechat callback: bad or missing signature")
	ErrStaleRequest = errors.New("wechat callback: timestamp too far from now")
	ErrMalformed    = errors.New("wechat callback: malformed message")
	// ErrPlaintext refuses a message that arrives unencrypted while
	// wechat.encoding_aes_key is set: the URL signature covers only the
	// token, timestamp and nonce, so without msg_signature over Encrypt
	// nothing says the body came from WeChat.
	ErrPlaintext = errors.New("wechat callback: plaintext message refused (wechat.encoding_aes_key is set: messages must arrive encrypted)")
	// ErrReplayed refuses a (timestamp, nonce) already seen with another
	// body: a signature lifted from a log, carrying a forged message.
	ErrReplayed = errors.New("wechat callback: timestamp and nonce already used with another body")
)

// MaxSkew is how far a callback's timestamp may be from now.
const MaxSkew = 5 * time.Minute

// Wire speaks WeChat's callback protocol: signature checks and, in
// compatible and safe modes, AES encryption (the SDK's exported crypto).
type Wire struct {
	Token          string
	EncodingAESKey string // empty: plaintext mode only
	AppID          string
	Clock          Clock // judges the timestamp's skew; default the system clock
}

// VerifyURL answers WeChat's server-address check: it returns echostr
// when the signature is right.
func (w Wire) VerifyURL(q url.Values) (string, error) {
	if err := w.checkSignature(q); err != nil {
		return "", err
	}
	return q.Get("echostr"), nil
}

func (w Wire) checkSignature(q url.Values) error {
	sig, ts, nonce := q.Get("signature"), q.Get("timestamp"), q.Get("nonce")
	if sig == "" || ts == "" || nonce == "" {
		return ErrBadSignature
	}
	if !equalHex(util.Signature(w.Token, ts, nonce), sig) {
		return ErrBadSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	if d := clockNow(w.Clock).Sub(time.Unix(sec, 0)); d > MaxSkew || d < -MaxSkew {
		return ErrStaleRequest
	}
	return nil
}

func equalHex(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(strings.ToLower(b))) == 1
}

type envelope struct {
	ToUserName string `xml:"ToUserName"`
	Encrypt    string `xml:"Encrypt"`
}

// Open checks the request's signatures and returns the message's plain XML
// and whether it arrived encrypted (the reply must then be encrypted too).
// With an EncodingAESKey every message must arrive encrypted, with a
// msg_signature over its Encrypt element: a plaintext one is ErrPlaintext.
// In compatible mode the body carries both copies; only the encrypted one,
// which the signature covers, is read.
func (w Wire) Open(q url.Values, body []byte) (plain []byte, encrypted bool, err error) {
	if err := w.checkSignature(q); err != nil {
		return nil, false, err
	}
	if q.Get("encrypt_type") != "aes" {
		if w.EncodingAESKey != "" {
			return nil, false, ErrPlaintext
		}
		return body, false, nil
	}
	if w.EncodingAESKey == "" {
		return nil, false, fmt.Errorf("%w: encrypted message but no wechat.encoding_aes_key configured", ErrMalformed)
	}
	env, ok := flatEnvelope(body)
	if !ok {
		if err := xml.Unmarshal(body, &env); err != nil {
			env.Encrypt = ""
		}
	}
	if env.Encrypt == "" {
		return nil, false, fmt.Errorf("%w: no Encrypt element", ErrMalformed)
	}
	if !equalHex(util.Signature(w.Token, q.Get("timestamp"), q.Get("nonce"), env.Encrypt), q.Get("msg_signature")) {
		return nil, false, ErrBadSignature
	}
	_, plain, err = util.DecryptMsg(w.AppID, env.Encrypt, w.EncodingAESKey)
	if err != nil {
		return nil, false, fmt.Errorf("%w: cannot decrypt", ErrMalformed)
	}
	return plain, true, nil
}

type encryptedReply struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata    `xml:"Encrypt"`
	MsgSignature cdata    `xml:"MsgSignature"`
	TimeStamp    int64    `xml:"TimeStamp"`
	Nonce        cdata    `xml:"Nonce"`
}

type cdata struct {
	Value string `xml:",cdata"`
}

// Seal encrypts a passive reply for safe mode.
func (w Wire) Seal(plain []byte, now time.Time) ([]byte, error) {
	random := make([]byte, 16)
	_, _ = rand.Read(random)
	// The SDK takes 16 random bytes; use printable ones like WeChat's samples.
	random = []byte(hex.EncodeToString(random)[:16])
	enc, err := util.EncryptMsg(random, plain, w.AppID, w.EncodingAESKey)
	if err != nil {
		return nil, fmt.Errorf("wechat callback: encrypt reply: %w", err)
	}
	nb := make([]byte, 5)
	_, _ = rand.Read(nb)
	nonce := strconv.FormatUint(uint64(nb[0])<<32|uint64(nb[1])<<24|uint64(nb[2])<<16|uint64(nb[3])<<8|uint64(nb[4]), 10)
	ts := now.Unix()
	return sealedXML(string(enc), util.Signature(w.Token, strconv.FormatInt(ts, 10), nonce, string(enc)), ts, nonce), nil
}

// sealedXML writes the encrypted reply's XML, as xml.Marshal would write
// an encryptedReply, without reflection: its fields are base64, hex and
// digits, which CDATA takes as they are.
func sealedXML(enc, sig string, ts int64, nonce string) []byte {
	b := make([]byte, 0, len(enc)+len(sig)+len(nonce)+160)
	b = append(b, "<xml><Encrypt><![CDATA["...)
	b = append(b, enc...)
	b = append(b, "]]></Encrypt><MsgSignature><![CDATA["...)
	b = append(b, sig...)
	b = append(b, "]]></MsgSignature><TimeStamp>"...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, "</TimeStamp><Nonce><![CDATA["...)
	b = append(b, nonce...)
	b = append(b, "]]></Nonce></xml>"...)
	return b
}

// Inbound is one message or event from a user.
type Inbound struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
	MsgID        int64  `xml:"MsgId"`
	Event        string `xml:"Event"`
	EventKey     string `xml:"EventKey"`
	Status       string `xml:"Status"` // TEMPLATESENDJOBFINISH
	EventMsgID   int64  `xml:"MsgID"`  // TEMPLATESENDJOBFINISH carries MsgID
	MediaID      string `xml:"MediaId"`
	Recognition  string `xml:"Recognition"` // voice recognition text, when enabled
}

// ParseInbound decodes a message's plain XML. It rejects what lacks the
// fields every message has.
func ParseInbound(plain []byte) (Inbound, error) {
	in, ok := flatInbound(plain)
	if !ok {
		in = Inbound{}
		if err := xml.NewDecoder(bytes.NewReader(plain)).Decode(&in); err != nil {
			return in, fmt.Errorf("%w: %s", ErrMalformed, xmlProblem(err))
		}
	}
	var missing []string
	for _, f := range []struct {
		name    string
		present bool
	}{{"FromUserName", in.FromUserName != ""}, {"MsgType", in.MsgType != ""}, {"CreateTime", in.CreateTime != 0}} {
		if !f.present {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return in, fmt.Errorf("%w: missing %s", ErrMalformed, strings.Join(missing, ", "))
	}
	if in.MsgType == "event" && in.Event == "" {
		return in, fmt.Errorf("%w: event without Event", ErrMalformed)
	}
	return in, nil
}

// xmlProblem says why a body is not readable XML without quoting any of
// it: a syntax error's own text can hold a piece of the message.
func xmlProblem(err error) string {
	var syntax *xml.SyntaxError
	var unmarshal xml.UnmarshalError
	var num *strconv.NumError
	switch {
	case errors.Is(err, io.EOF):
		return "empty body or no XML element"
	case errors.As(err, &syntax):
		return fmt.Sprintf("XML syntax error on line %d", syntax.Line)
	case errors.As(err, &num):
		return "a number field (CreateTime, MsgId or MsgID) is not a number"
	case errors.As(err, &unmarshal):
		return "XML that does not fit a message"
	}
	return fmt.Sprintf("unreadable XML (%T)", err)
}

// DedupeKey identifies a message across WeChat's re-deliveries: MsgId for
// messages, sender + CreateTime + Event for events.
func (in Inbound) DedupeKey() string {
	if in.MsgType == "event" && in.EventMsgID != 0 {
		// Two template reports to one deputy can share a second: the
		// template msgid tells them apart.
		return "e:" + in.FromUserName + ":" + in.Event + ":" + strconv.FormatInt(in.EventMsgID, 10)
	}
	if in.MsgType != "event" && in.MsgID != 0 {
		return "m:" + strconv.FormatInt(in.MsgID, 10)
	}
	return "e:" + in.FromUserName + ":" + strconv.FormatInt(in.CreateTime, 10) + ":" + in.Event + ":" + in.EventKey
}

// Kind names the message for logs: its type and, for events, the event.
func (in Inbound) Kind() string {
	if in.MsgType == "event" {
		return "event." + strings.ToLower(in.Event)
	}
	return in.MsgType
}

type textReply struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   cdata    `xml:"ToUserName"`
	FromUserName cdata    `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      cdata    `xml:"MsgType"`
	Content      cdata    `xml:"Content"`
}

// TextReplyXML renders a passive text reply to in: byte for byte what
// xml.Marshal writes of a textReply, without reflection (every reply the
// chat sends is one).
func TextReplyXML(in Inbound, text string, now time.Time) []byte {
	b := make([]byte, 0, len(in.FromUserName)+len(in.ToUserName)+len(text)+192)
	b = append(b, "<xml><ToUserName>"...)
	b = appendCDATA(b, in.FromUserName)
	b = append(b, "</ToUserName><FromUserName>"...)
	b = appendCDATA(b, in.ToUserName)
	b = append(b, "</FromUserName><CreateTime>"...)
	b = strconv.AppendInt(b, now.Unix(), 10)
	b = append(b, "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>"...)
	b = appendCDATA(b, text)
	b = append(b, "</Content></xml>"...)
	return b
}

// appendCDATA appends s as encoding/xml writes a ",cdata" field: nothing
// when empty, else one CDATA section, split where s holds "]]>".
func appendCDATA(b []byte, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, "<![CDATA["...)
	for {
		before, after, ok := strings.Cut(s, "]]>")
		if !ok {
			break
		}
		b = append(b, before...)
		b = append(b, "]]]]><![CDATA[>"...)
		s = after
	}
	b = append(b, s...)
	return append(b, "]]>"...)
}
