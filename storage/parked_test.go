package storage_test

import (
	"context"
	"errors"
	"fmt"
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

// Deputies parking their flows at the same moment do not stop each other:
// on MySQL a DELETE of a row that is not there locks the gap before the
// next openid, and two parks that each deleted and then inserted into that
// gap deadlocked. Parking again replaces the parked flow.
func TestDeputiesParkingAtOnceDoNotDeadlock(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		save := func(openid, step string) model.Conversation {
			c := model.Conversation{OpenID: openid, Flow: "opinion", Step: step, Data: `{}`, ExpiresAt: time.Now().Add(time.Hour)}
			if err := db.SaveConversation(ctx, &c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		// A parked flow after the others' openids: their gap ends there.
		if err := db.ParkConversation(ctx, save("o-zz-last", "body")); err != nil {
			t.Fatal(err)
		}
		const deputies, rounds = 16, 8
		for round := range rounds {
			convs := make([]model.Conversation, deputies)
			for i := range convs {
				convs[i] = save(fmt.Sprintf("o-gap-%02d-%02d", round, i), "body")
			}
			errs := make(chan error, deputies)
			start := make(chan struct{})
			for _, c := range convs {
				go func() {
					<-start
					errs <- db.ParkConversation(ctx, c)
				}()
			}
			close(start)
			for range deputies {
				if err := <-errs; err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		}
		if err := db.ParkConversation(ctx, save("o-zz-last", "title")); err != nil {
			t.Fatalf("parking again: %v", err)
		}
		if c, err := db.TakeParked(ctx, "o-zz-last"); err != nil || c.Step != "title" {
			t.Fatalf("parking again kept %+v, %v; want the new step", c, err)
		}
	})
}
