package core

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"time"

	"deputybot/model"
	"deputybot/storage"
)

// BindCodeValidity is how long a binding code issued by staff stays valid.
const BindCodeValidity = 7 * 24 * time.Hour

// NewBindCode returns a random 6-digit binding code (100000–999999), which
// a deputy sends in the binding conversation instead of their phone digits.
func NewBindCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(900000))
	if err != nil {
		return "", fmt.Errorf("core: bind code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()+100000), nil
}

// IssueBindCode stores a fresh code for the deputy, replacing any earlier
// one, valid for valid from now. It refuses a terminated deputy, who
// receives nothing and so has nothing to bind for.
func IssueBindCode(ctx context.Context, db *storage.DB, deputyID int64, now time.Time, valid time.Duration) (string, time.Time, error) {
	d, err := db.GetDeputy(ctx, deputyID)
	if err != nil {
		return "", time.Time{}, err
	}
	if d.Status == model.StatusEnded {
		return "", time.Time{}, &FieldError{Key: "code", Label: "绑定码", Msg: "代表资格已终止，不能生成绑定码"}
	}
	code, err := NewBindCode()
	if err != nil {
		return "", time.Time{}, err
	}
	expires := now.Add(valid)
	if err := db.SetBindCode(ctx, deputyID, code, expires); err != nil {
		return "", time.Time{}, err
	}
	return code, expires, nil
}
