package wechatsim

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

// The official WXBizMsgCrypt sample (token spamtest).
const (
	officialTimestamp = "1409735669"
	officialNonce     = "1320562132"
	officialMsgSig    = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
	officialEncrypt   = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)

func TestOfficialVector(t *testing.T) {
	if got := Signature(testToken, officialTimestamp, officialNonce, officialEncrypt); got != officialMsgSig {
		t.Fatalf("msg_signature = %s, want %s", got, officialMsgSig)
	}
	plain, err := Decrypt(testAESKey, testAppID, officialEncrypt)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		ToUserName, FromUserName, MsgType, Content string
		MsgId                                      int64
	}
	if err := xml.Unmarshal(plain, &m); err != nil {
		t.Fatalf("%v: %s", err, plain)
	}
	if m.Content != "abcdteT" || m.MsgId != 6054768590064713728 || m.MsgType != "text" {
		t.Fatalf("decrypted %+v", m)
	}
	if _, err := Decrypt(testAESKey, "wx_other", officialEncrypt); !errors.Is(err, ErrAppIDMismatch) {
		t.Fatalf("wrong appid: err = %v", err)
	}
}

func TestSignatureSortsParts(t *testing.T) {
	a := Signature("token", "123", "456")
	if a != Signature("456", "token", "123") || len(a) != 40 {
		t.Fatalf("signature not order independent: %s", a)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 11, 12, 31, 32, 33, 63, 64, 100, 4096} {
		plain := []byte(strings.Repeat("代", n/3) + strings.Repeat("x", n%3))
		enc, err := Encrypt(testAESKey, testAppID, plain)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(enc)
		if len(raw)%32 != 0 {
			t.Fatalf("len %d: ciphertext %d bytes not a multiple of 32", n, len(raw))
		}
		got, err := Decrypt(testAESKey, testAppID, enc)
		if err != nil || string(got) != string(plain) {
			t.Fatalf("len %d: got %q, %v", n, got, err)
		}
		enc2, _ := Encrypt(testAESKey, testAppID, plain)
		if enc2 == enc {
			t.Fatalf("len %d: random prefix not random", n)
		}
	}
}

// rawEncrypt encrypts an arbitrary buffer (already padded) with the sample key.
func rawEncrypt(t *testing.T, buf []byte) string {
	t.Helper()
	key, err := aesKey(testAESKey)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	out := make([]byte, len(buf))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, buf)
	return base64.StdEncoding.EncodeToString(out)
}

func TestDecryptRejects(t *testing.T) {
	body := func(msgLen uint32, payload string, pad int, padByte byte) []byte {
		b := make([]byte, 20, 64)
		binary.BigEndian.PutUint32(b[16:], msgLen)
		b = append(b, payload...)
		for i := 0; i < pad; i++ {
			b = append(b, padByte)
		}
		return b
	}
	// 20 + 12 = 32 bytes before padding; a full 32-byte pad block is valid.
	good := body(5, "hello"+"wx_app1", 32, 32)
	if got, err := Decrypt(testAESKey, "wx_app1", rawEncrypt(t, good)); err != nil || string(got) != "hello" {
		t.Fatalf("control case: %q %v", got, err)
	}
	cases := []struct {
		name string
		key  string
		b64  string
		want error
	}{
		{"bad padding byte 0", testAESKey, rawEncrypt(t, body(5, "hello"+"wx_app1", 32, 0)), ErrBadPadding},
		{"padding > 32", testAESKey, rawEncrypt(t, body(5, "hello"+"wx_app1", 32, 33)), ErrBadPadding},
		{"inconsistent padding", testAESKey, rawEncrypt(t, func() []byte { b := body(5, "hello"+"wx_app1", 32, 32); b[40] = 7; return b }()), ErrBadPadding},
		{"length too large", testAESKey, rawEncrypt(t, body(500, "hello"+"wx_app1", 32, 32)), ErrBadLength},
		{"wrong appid", testAESKey, rawEncrypt(t, body(5, "hello"+"wx_app2", 32, 32)), ErrAppIDMismatch},
		{"not base64", testAESKey, "!!!", ErrBadCiphertext},
		{"not whole blocks", testAESKey, base64.StdEncoding.EncodeToString([]byte("short")), ErrBadCiphertext},
		{"short key", "abc", officialEncrypt, ErrBadKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decrypt(c.key, "wx_app1", c.b64)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}
