package wechatsim

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// This file is an independent implementation of the WeChat message crypto
// (the "WXBizMsgCrypt" scheme). It deliberately does not reuse any third-party
// code so that tests can compare the bot's crypto against it.

// Crypto errors returned by Decrypt.
var (
	ErrBadKey        = errors.New("wechatsim: EncodingAESKey must be 43 base64 characters")
	ErrBadCiphertext = errors.New("wechatsim: ciphertext is not valid base64 of whole AES blocks")
	ErrBadPadding    = errors.New("wechatsim: invalid PKCS#7 padding")
	ErrBadLength     = errors.New("wechatsim: invalid message length in plaintext")
	ErrAppIDMismatch = errors.New("wechatsim: appid in plaintext does not match")
)

// blockPad is the PKCS#7 block size WeChat uses (32, not the AES block size).
const blockPad = 32

func aesKey(key43 string) ([]byte, error) {
	if len(key43) != 43 {
		return nil, ErrBadKey
	}
	k, err := base64.StdEncoding.DecodeString(key43 + "=")
	if err != nil || len(k) != 32 {
		return nil, ErrBadKey
	}
	return k, nil
}

// Encrypt encrypts plain the way WeChat does and returns the base64 text that
// goes into <Encrypt>: AES-256-CBC with key = base64(key43+"="), IV = key[:16],
// over random16 ‖ be32(len(plain)) ‖ plain ‖ appID, PKCS#7-padded to 32 bytes.
func Encrypt(key43, appID string, plain []byte) (string, error) {
	key, err := aesKey(key43)
	if err != nil {
		return "", err
	}
	n := 16 + 4 + len(plain) + len(appID)
	pad := blockPad - n%blockPad
	buf := make([]byte, n+pad)
	if _, err := rand.Read(buf[:16]); err != nil {
		return "", err
	}
	binary.BigEndian.PutUint32(buf[16:20], uint32(len(plain)))
	copy(buf[20:], plain)
	copy(buf[20+len(plain):], appID)
	for i := n; i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf), nil
}

// Decrypt reverses Encrypt: it checks the padding, the length prefix and that
// the trailing appid equals appID, and returns the inner XML.
func Decrypt(key43, appID, b64 string) ([]byte, error) {
	key, err := aesKey(key43)
	if err != nil {
		return nil, err
	}
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, ErrBadCiphertext
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(data, data)
	pad := int(data[len(data)-1])
	if pad < 1 || pad > blockPad || pad > len(data) {
		return nil, ErrBadPadding
	}
	for _, b := range data[len(data)-pad:] {
		if int(b) != pad {
			return nil, ErrBadPadding
		}
	}
	data = data[:len(data)-pad]
	if len(data) < 20 {
		return nil, ErrBadLength
	}
	n := binary.BigEndian.Uint32(data[16:20])
	if uint64(n) > uint64(len(data)-20) {
		return nil, ErrBadLength
	}
	msg := data[20 : 20+n]
	if got := string(data[20+n:]); got != appID {
		return nil, fmt.Errorf("%w: got %q", ErrAppIDMismatch, got)
	}
	out := make([]byte, len(msg))
	copy(out, msg)
	return out, nil
}

// Signature returns the hex SHA-1 of the lexically sorted, concatenated parts.
// Callback signature: Signature(token, timestamp, nonce); message signature:
// Signature(token, timestamp, nonce, encrypt).
func Signature(parts ...string) string {
	p := append([]string(nil), parts...)
	sort.Strings(p)
	h := sha1.New()
	for _, s := range p {
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}
