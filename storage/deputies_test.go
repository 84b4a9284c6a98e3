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

func newDeputy(name, delegation, phone string, tags ...string) model.Deputy {
	birth := time.Date(1970, 3, 15, 0, 0, 0, 0, time.UTC)
	return model.Deputy{Name: name, Gender: "女", Ethnicity: "汉族", BirthDate: &birth, Delegation: delegation,
		Level: model.LevelProvincial, Grassroots: true, Occupation: "教师", ProfessionalGroup: "教育科学文化卫生",
		Phone: phone, Tags: tags}
}

func TestDeputyCRUD(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		d := newDeputy("王芳", "济南市代表团", "13800138000", "教师", "乡村振兴")
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetDeputy(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "王芳" || got.Delegation != "济南市代表团" || got.Phone != "13800138000" || !got.Grassroots ||
			got.BirthDate == nil || got.BirthDate.Format(time.DateOnly) != "1970-03-15" || len(got.Tags) != 2 || got.Status != model.StatusActive {
			t.Fatalf("read back %+v", got)
		}

		dup := newDeputy("李强", "青岛市代表团", "13800138000")
		if err := db.CreateDeputy(ctx, &dup); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("a second deputy with the same phone gives %v, want ErrConflict", err)
		}

		got.Tags = []string{"教师"}
		got.Delegation = "青岛市代表团"
		if err := db.UpdateDeputy(ctx, &got); err != nil {
			t.Fatal(err)
		}
		again, _ := db.GetDeputy(ctx, d.ID)
		if again.Delegation != "青岛市代表团" || len(again.Tags) != 1 {
			t.Fatalf("after update %+v", again)
		}

		if err := db.TerminateDeputy(ctx, d.ID, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), "辞职"); err != nil {
			t.Fatal(err)
		}
		ended, _ := db.GetDeputy(ctx, d.ID)
		if ended.Status != model.StatusEnded || ended.TerminationReason != "辞职" || ended.TerminatedOn.Format(time.DateOnly) != "2026-06-01" {
			t.Fatalf("after terminate %+v", ended)
		}
		if _, err := db.GetDeputy(ctx, 99999); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a missing deputy gives %v", err)
		}
		missing := newDeputy("无", "", "")
		missing.ID = 99999
		if err := db.UpdateDeputy(ctx, &missing); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("updating a missing deputy gives %v", err)
		}
	})
}

func TestListDeputiesFilters(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seed := []model.Deputy{
			newDeputy("张伟", "济南市代表团", "13900000001", "企业家"),
			newDeputy("张敏", "济南市代表团", "13900000002"),
			newDeputy("刘洋", "青岛市代表团", "13900000003", "企业家"),
			newDeputy("陈静_100%", "青岛市代表团", ""),
		}
		seed[1].Grassroots = false
		seed[2].Level = model.LevelNational
		for i := range seed {
			if err := db.CreateDeputy(ctx, &seed[i]); err != nil {
				t.Fatal(err)
			}
		}
		yes, no := true, false
		tests := []struct {
			name string
			f    model.DeputyFilter
			want int
		}{
			{"everyone", model.DeputyFilter{}, 4},
			{"by delegation", model.DeputyFilter{Delegation: "济南市代表团"}, 2},
			{"national level", model.DeputyFilter{Level: model.LevelNational}, 1},
			{"grassroots only", model.DeputyFilter{Grassroots: &yes}, 3},
			{"by tag", model.DeputyFilter{Tag: "企业家"}, 2},
			{"unbound", model.DeputyFilter{Bound: &no}, 4},
			{"bound", model.DeputyFilter{Bound: &yes}, 0},
			{"name search", model.DeputyFilter{Query: "张"}, 2},
			{"search treats % and _ literally", model.DeputyFilter{Query: "_100%"}, 1},
			{"phone search", model.DeputyFilter{Query: "0003"}, 1},
			{"terminated", model.DeputyFilter{Status: model.StatusEnded}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := db.ListDeputies(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if total != tt.want || len(got) != tt.want {
					t.Fatalf("got %d rows, total %d; want %d", len(got), total, tt.want)
				}
			})
		}
		page, total, err := db.ListDeputies(ctx, model.DeputyFilter{Limit: 3, Offset: 3})
		if err != nil || total != 4 || len(page) != 1 || page[0].Name != "陈静_100%" {
			t.Fatalf("second page: %v %d %v", page, total, err)
		}
		dels, err := db.ListDelegations(ctx)
		if err != nil || len(dels) != 2 || dels[0].Total != 2 {
			t.Fatalf("delegations: %+v %v", dels, err)
		}
	})
}

func TestUpsertDeputiesIsIdempotent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		batch := func() []model.Deputy {
			return []model.Deputy{
				newDeputy("赵磊", "烟台市代表团", "13700000001", "医生"),
				newDeputy("孙丽", "烟台市代表团", ""),
			}
		}
		res, err := db.UpsertDeputies(ctx, batch())
		if err != nil || res.Created != 2 {
			t.Fatalf("first import: %+v %v", res, err)
		}
		res, err = db.UpsertDeputies(ctx, batch())
		if err != nil || res.Unchanged != 2 || res.Created+res.Updated != 0 {
			t.Fatalf("second import: %+v %v", res, err)
		}
		changed := batch()
		changed[0].Occupation = "医院院长"
		changed[1].Grassroots = false
		res, err = db.UpsertDeputies(ctx, changed)
		if err != nil || res.Updated != 2 {
			t.Fatalf("changed import: %+v %v", res, err)
		}
		_, total, _ := db.ListDeputies(ctx, model.DeputyFilter{})
		if total != 2 {
			t.Fatalf("%d deputies after three imports, want 2", total)
		}
	})
}

func TestAnImportWithoutAPhoneKeepsTheStoredOne(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		d := newDeputy("周杰", "潍坊市代表团", "13600000009")
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		again := newDeputy("周杰", "潍坊市代表团", "")
		again.Occupation = "农民"
		res, err := db.UpsertDeputies(ctx, []model.Deputy{again})
		if err != nil || res.Updated != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		got, _ := db.GetDeputy(ctx, d.ID)
		if got.Phone != "13600000009" || got.Occupation != "农民" {
			t.Fatalf("after import: phone %q occupation %q", got.Phone, got.Occupation)
		}
	})
}
