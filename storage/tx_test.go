package storage_test

import (
	"context"
	"errors"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestInTxMakesAChangeAndItsAuditEntryOneWrite(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		refused := errors.New("refused after writing")
		count := func(table string) int {
			n, err := db.CountRows(ctx, table)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		t.Run("a failure after both writes leaves neither", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				d := model.Deputy{Name: "钱七", Level: model.LevelProvincial}
				if err := db.CreateDeputy(ctx, &d); err != nil {
					return err
				}
				if err := db.AddAudit(ctx, &model.AuditEntry{StaffName: "t", Action: "deputy.create", Object: "deputy/1"}); err != nil {
					return err
				}
				return refused
			})
			if !errors.Is(err, refused) {
				t.Fatalf("InTx returned %v", err)
			}
			if n := count("deputies"); n != 0 {
				t.Fatalf("%d deputies after a rolled-back transaction", n)
			}
			if _, total, _ := db.ListAudit(ctx, model.AuditFilter{}); total != 0 {
				t.Fatalf("%d audit entries after a rolled-back transaction", total)
			}
		})
		t.Run("reads inside the transaction see its own writes", func(t *testing.T) {
			var seen model.Deputy
			err := db.InTx(ctx, func(ctx context.Context) error {
				d := model.Deputy{Name: "孙八", Level: model.LevelProvincial}
				if err := db.CreateDeputy(ctx, &d); err != nil {
					return err
				}
				var err error
				seen, err = db.GetDeputy(ctx, d.ID)
				return err
			})
			if err != nil || seen.Name != "孙八" {
				t.Fatalf("read inside the transaction: %+v, %v", seen, err)
			}
		})
		t.Run("a failing nested transaction undoes only its own part", func(t *testing.T) {
			before := count("deputies")
			err := db.InTx(ctx, func(ctx context.Context) error {
				outer := model.Deputy{Name: "周九", Level: model.LevelProvincial}
				if err := db.CreateDeputy(ctx, &outer); err != nil {
					return err
				}
				inner := db.InTx(ctx, func(ctx context.Context) error {
					d := model.Deputy{Name: "吴十", Level: model.LevelProvincial}
					if err := db.CreateDeputy(ctx, &d); err != nil {
						return err
					}
					return refused
				})
				if !errors.Is(inner, refused) {
					t.Errorf("nested InTx returned %v", inner)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := count("deputies"); n != before+1 {
				t.Fatalf("%d deputies, want %d: the outer write kept, the inner undone", n, before+1)
			}
			if storage.InTransaction(ctx) {
				t.Fatal("the test's own context reports a transaction")
			}
		})
	})
}
