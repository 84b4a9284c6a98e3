package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestSeeCallbackNoncesTellsReDeliveriesFromForgeries(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		n := func(nonce, digest string) model.CallbackNonce {
			return model.CallbackNonce{Timestamp: 1700000000, Nonce: nonce, Digest: digest, At: now}
		}
		long := strings.Repeat("9", 200)
		got, err := db.SeeCallbackNonces(ctx, []model.CallbackNonce{n("1", "a"), n("2", "b"), n("1", "a"), n("3", "c"), n("3", "d"), n(long, "e")})
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, true, true, true, false, true}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("first batch %v, want %v", got, want)
		}
		got, err = db.SeeCallbackNonces(ctx, []model.CallbackNonce{n("1", "a"), n("2", "x"), n(long, "e"), n(long, "f"), n("4", "g")})
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, false, true, false, true}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("second batch %v, want %v", got, want)
		}
		other := model.CallbackNonce{Timestamp: 1700000001, Nonce: "1", Digest: "z", At: now}
		if got, err := db.SeeCallbackNonces(ctx, []model.CallbackNonce{other}); err != nil || !got[0] {
			t.Fatalf("the same nonce at another timestamp: %v %v", got, err)
		}
	})
}
