package bot

import (
	"net/url"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/util"

	"deputybot/testkit"
)

// FuzzCallback feeds arbitrary bodies through the signed callback parser:
// it must never panic, and whatever it accepts must carry a sender and type.
func FuzzCallback(f *testing.F) {
	for _, seed := range []string{
		"<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>绑定</Content><MsgId>9</MsgId></xml>",
		"<xml><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><MsgID>5</MsgID><Status>failed:user block</Status></xml>",
		"<xml><ToUserName>gh</ToUserName><Encrypt>AAAA</Encrypt></xml>",
		"<xml><FromUserName>o1</FromUserName>",
		"",
		"<!DOCTYPE xml [<!ENTITY x \"y\">]><xml>&x;</xml>",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	w := Wire{Token: "spamtest", EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", AppID: "wx2c2769f8efd9abc2",
		Clock: testkit.NewClockAt(time.Unix(1700000000, 0))}
	f.Fuzz(func(t *testing.T, body []byte, aes bool) {
		ts := strconv.FormatInt(1700000000, 10)
		q := url.Values{"signature": {util.Signature(w.Token, ts, "n")}, "timestamp": {ts}, "nonce": {"n"}}
		if aes {
			q.Set("encrypt_type", "aes")
			q.Set("msg_signature", "x")
		}
		plain, _, err := w.Open(q, body)
		if err != nil {
			return
		}
		in, err := ParseInbound(plain)
		if err != nil {
			return
		}
		if in.FromUserName == "" || in.MsgType == "" || in.DedupeKey() == "" {
			t.Fatalf("accepted a message without sender or type: %+v", in)
		}
	})
}

// FuzzBindingInput checks the folding of deputies' typed answers: digits
// come out ASCII and only when the input was digits.
func FuzzBindingInput(f *testing.F) {
	for _, s := range []string{"1234", "１２３４", " 246810 ", "12a4", "取消。", "王芳代表", "", "\x00", "１2３4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w := normalizeWord(s)
		if utf8.ValidString(s) && !utf8.ValidString(w) {
			t.Fatalf("normalizeWord(%q) = %q is not valid UTF-8", s, w)
		}
		d := asciiDigits(w)
		for _, r := range d {
			if r < '0' || r > '9' {
				t.Fatalf("asciiDigits(%q) = %q", w, d)
			}
		}
	})
}
