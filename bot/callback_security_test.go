package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// forgedText is a plaintext text message from openid, as a forger writes it.
func forgedText(openid, text string, msgID int64) []byte {
	return []byte(fmt.Sprintf("<xml><ToUserName><![CDATA[gh_deputybotsim]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>",
		openid, time.Now().Unix(), text, msgID))
}

func postRaw(t *testing.T, base string, q url.Values, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(base+"?"+q.Encode(), "text/xml", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// TestACapturedSignatureCarriesNoPlaintextBodyInSafeMode replays the probe:
// one real callback's signature, timestamp and nonce (what an access log
// shows), reused with plaintext bodies from made-up openids that try to
// bind to a known deputy. With wechat.encoding_aes_key set, each is 403 and
// nothing is stored.
func TestACapturedSignatureCarriesNoPlaintextBodyInSafeMode(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		wang := addDeputy(t, db, "王建国", "13800135678")
		u := r.sim.User("o-real")
		replyText(t)(u.Follow(ctx))
		replyText(t)(u.SendText(ctx, "帮助"))
		captured, _, err := u.LastCallback()
		if err != nil {
			t.Fatal(err)
		}
		triple := url.Values{}
		for _, k := range []string{"signature", "timestamp", "nonce"} {
			triple.Set(k, captured.Get(k))
		}
		before := callbackDB(t, db)
		for i := range 30 {
			openid := "forged-" + strconv.Itoa(i%3)
			for j, text := range []string{"绑定", "王建国", fmt.Sprintf("%04d", 5670+i)} {
				status, body := postRaw(t, r.botURL, triple, forgedText(openid, text, int64(900000+i*10+j)))
				if status != http.StatusForbidden || strings.Contains(body, "success") {
					t.Fatalf("forged plaintext %d/%d answered %d %q, want 403", i, j, status, body)
				}
			}
		}
		if after := callbackDB(t, db); after != before {
			t.Fatalf("forged bodies were stored: inbound and conversations %v → %v", before, after)
		}
		if d, err := db.GetDeputy(ctx, wang.ID); err != nil || d.OpenID != "" {
			t.Fatalf("the deputy after the forgeries: openid %q %v", d.OpenID, err)
		}
		// Keeping encrypt_type and msg_signature does not help a body
		// without its Encrypt element: nothing is handled.
		status, body := postRaw(t, r.botURL, captured, forgedText("forged-x", "帮助", 990001))
		if status != http.StatusOK || body != "success" || callbackDB(t, db) != before {
			t.Fatalf("plaintext under the captured msg_signature: %d %q", status, body)
		}
		// The real user is still answered.
		if got := replyText(t)(u.SendText(ctx, "帮助")); got == "" {
			t.Fatal("the real user's next message went unanswered")
		}
	})
}

// TestCompatibleModeReadsOnlyTheEncryptedCopy: a compatible-mode body
// carries the message twice; a forger who rewrites the plaintext copy and
// keeps the signed Encrypt changes nothing, since only Encrypt is read.
func TestCompatibleModeReadsOnlyTheEncryptedCopy(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := context.Background()
	r := newRig(t, db, rigOptions{mode: wechatsim.ModeCompatible})
	u := r.sim.User("o-compat")
	replyText(t)(u.Follow(ctx))
	replyText(t)(u.SendText(ctx, "帮助"))
	q, body, err := u.LastCallback()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte("<Encrypt>")) || !bytes.Contains(body, []byte("o-compat")) {
		t.Fatalf("not a compatible-mode body: %s", body)
	}
	forged := bytes.Replace(body, []byte("o-compat"), []byte("o-forged"), 1)
	forged = bytes.Replace(forged, []byte("帮助"), []byte("绑定"), 1)
	status, _ := postRaw(t, r.botURL, q, forged)
	if status != http.StatusOK {
		t.Fatalf("a re-delivery with a rewritten plaintext copy answered %d", status)
	}
	if _, err := db.GetConversation(ctx, "o-forged"); err == nil {
		t.Fatal("the rewritten plaintext copy started a conversation")
	}
	if _, err := db.GetFollower(ctx, "o-forged"); err == nil {
		t.Fatal("the rewritten plaintext copy was read: its openid is a follower")
	}
	// Dropping encrypt_type to have the plaintext copy read is refused.
	plain := url.Values{}
	for _, k := range []string{"signature", "timestamp", "nonce"} {
		plain.Set(k, q.Get(k))
	}
	if status, _ := postRaw(t, r.botURL, plain, forged); status != http.StatusForbidden {
		t.Fatalf("the plaintext copy alone answered %d, want 403", status)
	}
}

// TestPlaintextModeTakesOneBodyPerSignature: an account without an
// EncodingAESKey receives plaintext, signed only over timestamp and nonce.
// A captured signature with another body is refused on every instance
// (the record is in the database); WeChat's re-delivery, the same body,
// is answered as before.
func TestPlaintextModeTakesOneBodyPerSignature(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		a := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
		b := newRig(t, db, rigOptions{mode: wechatsim.ModePlain}) // a second instance on the same database
		wang := addDeputy(t, db, "王建国", "13800135678")
		u := a.sim.User("o-plain")
		replyText(t)(u.Follow(ctx))
		first := replyText(t)(u.SendText(ctx, "帮助"))
		q, body, err := u.LastCallback()
		if err != nil {
			t.Fatal(err)
		}
		before := callbackDB(t, db)
		for i, base := range []string{a.botURL, b.botURL, a.botURL} {
			status, _ := postRaw(t, base, q, forgedText("forged-"+strconv.Itoa(i), "绑定", int64(770000+i)))
			if status != http.StatusForbidden {
				t.Fatalf("a forged body under a used signature (instance %d) answered %d, want 403", i, status)
			}
		}
		if after := callbackDB(t, db); after != before {
			t.Fatalf("forged bodies were stored: %v → %v", before, after)
		}
		for _, base := range []string{a.botURL, b.botURL} {
			status, again := postRaw(t, base, q, body)
			if status != http.StatusOK || !strings.Contains(again, first) {
				t.Fatalf("WeChat's re-delivery answered %d %q, want the first answer %q", status, again, first)
			}
		}
		if d, err := db.GetDeputy(ctx, wang.ID); err != nil || d.OpenID != "" {
			t.Fatalf("the deputy: openid %q %v", d.OpenID, err)
		}
		// A fresh nonce from WeChat is a fresh message.
		if got := replyText(t)(u.SendText(ctx, "帮助")); got != first {
			t.Fatalf("the next message answered %q", got)
		}
	})
}

// TestAMalformedCallbackLogSaysWhyWithoutTheContent: the log line of an
// unreadable message names the reason (a syntax error's line, the missing
// fields), never a piece of the message.
func TestAMalformedCallbackLogSaysWhyWithoutTheContent(t *testing.T) {
	var buf lockedBuffer
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
	r.gw.Log = slog.New(slog.NewTextHandler(&buf, nil))
	for _, tc := range []struct{ body, reason string }{
		{"<xml><FromUserName>o-秘密甲</FromUserName><Content>机密内容", "XML syntax error on line 1"},
		{"<xml><Content>机密内容乙</Content><CreateTime>1</CreateTime></xml>", "missing FromUserName, MsgType"},
		{"<xml><FromUserName>o-秘密丙</FromUserName><MsgType>text</MsgType><CreateTime>机密丁</CreateTime></xml>", "not a number"},
		{`<!DOCTYPE x [<!ENTITY e "机密戊">]><xml>&e;</xml>`, "XML syntax error"},
		{"", "empty body"},
	} {
		status, body := postRaw(t, r.botURL, signedQuery(time.Now()), []byte(tc.body))
		if status != http.StatusOK || body != "success" {
			t.Fatalf("%q answered %d %q", tc.body, status, body)
		}
		out := buf.String()
		if !strings.Contains(out, tc.reason) {
			t.Fatalf("the log does not say %q:\n%s", tc.reason, out)
		}
		if strings.Contains(out, "<nil>") {
			t.Fatalf("the reason was lost:\n%s", out)
		}
		for _, secret := range []string{"秘密", "机密"} {
			if strings.Contains(out, secret) {
				t.Fatalf("the log quotes the message:\n%s", out)
			}
		}
	}
	if n := countInbound(t, db); n != 0 {
		t.Fatalf("%d unreadable messages stored", n)
	}
}
