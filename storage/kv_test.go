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

func TestKV(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })

		if _, err := db.KVGet(ctx, "missing"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a missing key gives %v, want ErrNotFound", err)
		}
		if err := db.KVSet(ctx, "token", "abc", time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := db.KVSet(ctx, "token", "def", time.Hour); err != nil {
			t.Fatal(err)
		}
		if v, err := db.KVGet(ctx, "token"); err != nil || v != "def" {
			t.Fatalf("after overwrite got %q, %v; want def", v, err)
		}
		now = now.Add(61 * time.Minute)
		if _, err := db.KVGet(ctx, "token"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("an expired key gives %v, want ErrNotFound", err)
		}
		if err := db.KVSet(ctx, "forever", "x", 0); err != nil {
			t.Fatal(err)
		}
		if err := db.KVDelete(ctx, "forever"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.KVGet(ctx, "forever"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a deleted key gives %v, want ErrNotFound", err)
		}
	})
}
