package storage_test

import (
	"context"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// Within one message the deputy is read once; a write made with the
// message's context makes the next read fresh, and a read inside a
// transaction is not kept.
func TestReadMemoKeepsADeputyUntilTheMessageWrites(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		d := model.Deputy{Name: "张三", Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: "13900000001"}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		if err := db.BindDeputy(ctx, d.ID, "o-memo"); err != nil {
			t.Fatal(err)
		}
		mctx := storage.WithReadMemo(ctx)
		if got, err := db.GetDeputyByOpenID(mctx, "o-memo"); err != nil || got.Name != "张三" {
			t.Fatalf("first read: %+v, %v", got, err)
		}
		// Changed by someone else: the message keeps what it read.
		if _, err := db.SQL().Exec("UPDATE deputies SET name = '李四' WHERE id = ?", d.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.GetDeputyByOpenID(mctx, "o-memo"); got.Name != "张三" {
			t.Fatalf("the memo did not keep the deputy: %q", got.Name)
		}
		if got, _ := db.GetDeputyByOpenID(ctx, "o-memo"); got.Name != "李四" {
			t.Fatalf("a read without the memo is not fresh: %q", got.Name)
		}
		// The message writes: the next read is fresh.
		if err := db.InTx(mctx, func(ctx context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.GetDeputyByOpenID(mctx, "o-memo"); got.Name != "李四" {
			t.Fatalf("after a write the memo still gave %q", got.Name)
		}
		// A read inside a transaction that rolls back is not kept.
		mctx = storage.WithReadMemo(ctx)
		_ = db.InTx(mctx, func(ctx context.Context) error {
			if _, err := db.GetDeputyByOpenID(ctx, "o-memo"); err != nil {
				return err
			}
			return model.ErrConflict
		})
		if _, err := db.SQL().Exec("UPDATE deputies SET name = '王五' WHERE id = ?", d.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.GetDeputyByOpenID(mctx, "o-memo"); got.Name != "王五" {
			t.Fatalf("a read made in a transaction was kept: %q", got.Name)
		}
	})
}
