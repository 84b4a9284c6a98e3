// Package notify is deputybot's outbox: notices, campaigns, audience
// expansion, deliveries, the dispatcher with its rate limit, retries,
// quotas and quiet hours, and the signed links pushes carry.
package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"deputybot/model"
	"deputybot/storage"
)

// Link errors, for the page that explains them.
var (
	ErrLinkInvalid = errors.New("notify: link signature invalid")
	ErrLinkExpired = errors.New("notify: link expired")
)

// LinkTTL is how long a pushed link identifies its deputy.
const LinkTTL = 30 * 24 * time.Hour

const linkSecretKey = "h5:link_secret"

// Signer signs and checks the links pushes carry: a link names a subject
// (a delivery, a meeting …) and the deputy it was sent to, with an expiry.
type Signer struct {
	key []byte
	Now func() time.Time
}

// NewSigner loads the shared signing key from the database, creating it on
// first use, so every instance signs alike.
func NewSigner(ctx context.Context, db *storage.DB) (*Signer, error) {
	v, err := db.KVGet(ctx, linkSecretKey)
	if errors.Is(err, model.ErrNotFound) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		if err := db.KVSetIfAbsent(ctx, linkSecretKey, hex.EncodeToString(b)); err != nil {
			return nil, err
		}
		v, err = db.KVGet(ctx, linkSecretKey)
	}
	if err != nil {
		return nil, fmt.Errorf("notify: link key: %w", err)
	}
	key, err := hex.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("notify: link key: %w", err)
	}
	return &Signer{key: key, Now: time.Now}, nil
}

func (s *Signer) mac(subject string, deputyID, exp int64) string {
	h := hmac.New(sha256.New, s.key)
	fmt.Fprintf(h, "%s|%d|%d", subject, deputyID, exp)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

// Token returns the token for subject (e.g. "d42") and deputy.
func (s *Signer) Token(subject string, deputyID int64) string {
	exp := s.Now().Add(LinkTTL).Unix()
	return fmt.Sprintf("%d.%d.%s", deputyID, exp, s.mac(subject, deputyID, exp))
}

// TokenDeputy returns the deputy a token names, without checking its
// signature (0 when it names none): for finding what else the signature
// covers, before Verify.
func TokenDeputy(token string) int64 {
	dep, _, ok := strings.Cut(token, ".")
	if !ok {
		return 0
	}
	id, err := strconv.ParseInt(dep, 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// Verify checks a token for subject and returns the deputy it names.
func (s *Signer) Verify(subject, token string) (int64, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return 0, ErrLinkInvalid
	}
	dep, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, ErrLinkInvalid
	}
	if !hmac.Equal([]byte(s.mac(subject, dep, exp)), []byte(parts[2])) {
		return 0, ErrLinkInvalid
	}
	if s.Now().Unix() > exp {
		return 0, ErrLinkExpired
	}
	return dep, nil
}
