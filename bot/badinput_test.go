package bot_test

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// documentedRefusal returns the answer docs/security.md ("What deputybot
// refuses") gives for case id: the status and the message in backquotes
// ("" when the row names none).
func documentedRefusal(t *testing.T, id string) (int, string) {
	t.Helper()
	doc, err := os.ReadFile("../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## What deputybot refuses")
	if !ok {
		t.Fatal("docs/security.md has no section “What deputybot refuses”")
	}
	for _, line := range strings.Split(section, "\n") {
		cols := strings.Split(line, "|")
		if len(cols) < 5 || strings.TrimSpace(cols[1]) != id {
			continue
		}
		status, err := strconv.Atoi(strings.TrimSpace(cols[3]))
		if err != nil {
			t.Fatalf("docs/security.md, %s: status %q", id, cols[3])
		}
		msg := ""
		if _, rest, ok := strings.Cut(cols[4], "`"); ok {
			msg, _, _ = strings.Cut(rest, "`")
		}
		return status, msg
	}
	t.Fatalf("docs/security.md does not document the refusal %q", id)
	return 0, ""
}

// callbackDB is what a callback may have stored: the inbound trace and
// conversations.
func callbackDB(t *testing.T, db *storage.DB) [2]int {
	t.Helper()
	return [2]int{countInbound(t, db), countRows(t, db, "conversations")}
}

func countRows(t *testing.T, db *storage.DB, table string) int {
	t.Helper()
	n, err := db.CountRows(t.Context(), table)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func post(t *testing.T, u string, q url.Values, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(u+"?"+q.Encode(), "text/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// safeQuery signs an encrypted callback: signature over the timestamp and
// nonce, msg_signature over them and the Encrypt element.
func safeQuery(ts time.Time, encrypt string) url.Values {
	q := signedQuery(ts)
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", wechatsim.Signature(testToken, q.Get("timestamp"), q.Get("nonce"), encrypt))
	return q
}

func TestTheCallbackRefusesHostileRequestsAsDocumented(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		now := time.Now()
		msg := func(id int) string {
			return "<xml><ToUserName>gh</ToUserName><FromUserName>o-hostile</FromUserName><CreateTime>" +
				strconv.FormatInt(now.Unix(), 10) + "</CreateTime><MsgType>text</MsgType><Content>帮助</Content><MsgId>" +
				strconv.Itoa(id) + "</MsgId></xml>"
		}
		envelope := func(encrypt string) string {
			return "<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>"
		}
		sealed, err := wechatsim.Encrypt(testAESKey, testAppID, []byte(msg(7)))
		if err != nil {
			t.Fatal(err)
		}
		otherApp := mustEncrypt(t, "wx0000000000000000", msg(2))
		const (
			noSender  = "<xml><MsgType>text</MsgType><Content>x</Content></xml>"
			doctype   = `<!DOCTYPE xml [<!ENTITY x "y">]><xml><FromUserName>&x;</FromUserName></xml>`
			sqlSender = "<xml><FromUserName>' OR 1=1 --</FromUserName></xml>"
		)
		// A real request's query, as an access log shows it, with
		// encrypt_type dropped so the body would be read as plaintext.
		plainCaptured := safeQuery(now, sealed)
		plainCaptured.Del("encrypt_type")
		wrongMsgSig := safeQuery(now, sealed)
		wrongMsgSig.Set("msg_signature", strings.Repeat("0", 40))
		for _, tc := range []struct {
			name, doc string
			query     url.Values
			body      string
		}{
			{"a wrong signature", "wechat-signature", url.Values{"signature": {"bad"}, "timestamp": {"1"}, "nonce": {"2"}}, msg(1)},
			{"no signature at all", "wechat-signature", url.Values{}, msg(1)},
			{"a signature over another token", "wechat-signature", url.Values{"signature": {wechatsim.Signature("other", "1", "2")},
				"timestamp": {"1"}, "nonce": {"2"}}, msg(1)},
			{"a wrong msg_signature in safe mode", "wechat-msg-signature", wrongMsgSig, envelope(sealed)},
			{"a timestamp ten minutes old", "wechat-stale", signedQuery(now.Add(-10 * time.Minute)), msg(1)},
			{"a timestamp ten minutes ahead", "wechat-stale", signedQuery(now.Add(10 * time.Minute)), msg(1)},
			{"a body over the limit", "wechat-too-large", signedQuery(now), "<xml>" + strings.Repeat("长", 30<<10) + "</xml>"},
			// With an EncodingAESKey a body must arrive encrypted: a malformed
			// message is one that decrypts to something unreadable.
			{"truncated XML", "wechat-malformed-xml", sealedQuery(t, now, msg(1)[:70]), sealedBody(t, msg(1)[:70])},
			{"a message without a sender", "wechat-malformed-xml", sealedQuery(t, now, noSender), sealedBody(t, noSender)},
			{"a DOCTYPE with an entity", "wechat-malformed-xml", sealedQuery(t, now, doctype), sealedBody(t, doctype)},
			{"SQL in the sender", "wechat-malformed-xml", sealedQuery(t, now, sqlSender), sealedBody(t, sqlSender)},
			{"a plaintext message", "wechat-plaintext", signedQuery(now), msg(3)},
			{"a plaintext message under a captured msg_signature", "wechat-plaintext", plainCaptured, msg(4)},
			{"no Encrypt element in safe mode", "wechat-malformed-encrypted", safeQuery(now, ""), "<xml><ToUserName>gh</ToUserName></xml>"},
			{"an Encrypt that is not base64", "wechat-malformed-encrypted", safeQuery(now, "%%%not-base64%%%"), envelope("%%%not-base64%%%")},
			{"an Encrypt of the wrong length", "wechat-malformed-encrypted", safeQuery(now, "AAAA"), envelope("AAAA")},
			{"an Encrypt for another app", "wechat-malformed-encrypted", safeQuery(now, otherApp), envelope(otherApp)},
		} {
			t.Run(tc.name+" is refused as documented", func(t *testing.T) {
				wantStatus, wantBody := documentedRefusal(t, tc.doc)
				before := callbackDB(t, db)
				status, body := post(t, r.botURL, tc.query, tc.body)
				if status != wantStatus || !strings.Contains(body, wantBody) {
					t.Fatalf("got %d %q, docs/security.md (%s) says %d %q", status, body, tc.doc, wantStatus, wantBody)
				}
				if after := callbackDB(t, db); after != before {
					t.Fatalf("stored something: inbound and conversations %v → %v", before, after)
				}
			})
		}

		t.Run("a replayed request gets the first answer and is handled once", func(t *testing.T) {
			wantStatus, _ := documentedRefusal(t, "wechat-replay")
			q := safeQuery(now, sealed)
			before := callbackDB(t, db)
			s1, first := post(t, r.botURL, q, envelope(sealed))
			mid := callbackDB(t, db)
			s2, second := post(t, r.botURL, q, envelope(sealed))
			if s1 != http.StatusOK || s2 != wantStatus || first == "" || first == "success" {
				t.Fatalf("first %d %q, replay %d %q", s1, first, s2, second)
			}
			// The encrypted reply differs by its random IV; what it says must not.
			if plainReply(t, first) != plainReply(t, second) {
				t.Fatalf("the replay was answered differently:\n%s\n%s", plainReply(t, first), plainReply(t, second))
			}
			if mid[0] != before[0]+1 || callbackDB(t, db) != mid {
				t.Fatalf("inbound and conversations %v → %v → %v: the replay was handled again", before, mid, callbackDB(t, db))
			}
		})
	})
}

// sealedQuery and sealedBody make a safe-mode request of plain, correctly
// encrypted and signed (one Encrypt per call: the IV is random).
func sealedQuery(t *testing.T, ts time.Time, plain string) url.Values {
	return safeQuery(ts, sealedFor(t, plain))
}

func sealedBody(t *testing.T, plain string) string {
	return "<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[" + sealedFor(t, plain) + "]]></Encrypt></xml>"
}

var sealedCache sync.Map // plain → its Encrypt, so query and body agree

func sealedFor(t *testing.T, plain string) string {
	t.Helper()
	if v, ok := sealedCache.Load(plain); ok {
		return v.(string)
	}
	v, _ := sealedCache.LoadOrStore(plain, mustEncrypt(t, testAppID, plain))
	return v.(string)
}

func TestAForgedBodyUnderAUsedSignatureIsRefusedAsDocumented(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
		wantStatus, wantBody := documentedRefusal(t, "wechat-forged-body")
		u := r.sim.User("o-used")
		if _, err := u.Follow(t.Context()); err != nil {
			t.Fatal(err)
		}
		q, _, err := u.LastCallback()
		if err != nil {
			t.Fatal(err)
		}
		before := callbackDB(t, db)
		status, body := post(t, r.botURL, q, "<xml><ToUserName>gh</ToUserName><FromUserName>o-forged</FromUserName><CreateTime>"+
			q.Get("timestamp")+"</CreateTime><MsgType>text</MsgType><Content>绑定</Content><MsgId>31337</MsgId></xml>")
		if status != wantStatus || !strings.Contains(body, wantBody) {
			t.Fatalf("got %d %q, docs/security.md says %d %q", status, body, wantStatus, wantBody)
		}
		if after := callbackDB(t, db); after != before {
			t.Fatalf("stored something: %v → %v", before, after)
		}
	})
}

func mustEncrypt(t *testing.T, appID, plain string) string {
	t.Helper()
	s, err := wechatsim.Encrypt(testAESKey, appID, []byte(plain))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// plainReply decrypts a safe-mode reply and returns its Content.
func plainReply(t *testing.T, body string) string {
	t.Helper()
	var env struct{ Encrypt string }
	if err := xmlUnmarshal([]byte(body), &env); err != nil || env.Encrypt == "" {
		t.Fatalf("not an encrypted reply: %q", body)
	}
	plain, err := wechatsim.Decrypt(testAESKey, testAppID, env.Encrypt)
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Content string }
	if err := xmlUnmarshal(plain, &m); err != nil {
		t.Fatal(err)
	}
	return m.Content
}
