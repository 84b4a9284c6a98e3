package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// A parked conversation (a draft set aside by a click, a command or a
// timeout) can be taken back for ParkedKeep, not after.
func TestAParkedConversationIsKeptSevenDays(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		db.SetClock(func() time.Time { return now })
		park := func(openid string) {
			t.Helper()
			c := model.Conversation{OpenID: openid, Flow: "opinion", Step: "body", Data: `{"a":{"body":"草稿"}}`, ExpiresAt: now.Add(time.Minute)}
			if err := db.SaveConversation(ctx, &c); err != nil {
				t.Fatal(err)
			}
			if err := db.ParkConversation(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		park("o-park-6d")
		park("o-park-8d")
		now = now.Add(6 * 24 * time.Hour)
		if c, err := db.TakeParked(ctx, "o-park-6d"); err != nil || c.Step != "body" || c.Data != `{"a":{"body":"草稿"}}` {
			t.Fatalf("after 6 days: %+v %v", c, err)
		}
		now = now.Add(2 * 24 * time.Hour)
		if _, err := db.TakeParked(ctx, "o-park-8d"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("after 8 days: %v, want not found", err)
		}
	})
}
