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

func TestLatestMaterialsWithStudiedFlags(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		deps := addTestDeputies(t, db, 2)
		now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		var ids []int64
		for i, m := range []model.Material{
			{Title: "宪法学习", Link: "https://example.org/1", PublishedAt: now.AddDate(0, 0, -3)},
			{Title: "代表法解读", Body: "第一章 总则……", PublishedAt: now.AddDate(0, 0, -2)},
			{Title: "立法法要点", Summary: "新修订", Link: "https://example.org/3", PublishedAt: now.AddDate(0, 0, -1)},
			{Title: "下周发布", Body: "未到时间", PublishedAt: now.AddDate(0, 0, 7)},
			{Title: "立即发布", Body: "零值即现在"},
		} {
			if err := db.CreateMaterial(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if i == 4 && !m.PublishedAt.Equal(now) {
				t.Fatalf("a zero PublishedAt became %v, want now", m.PublishedAt)
			}
			ids = append(ids, m.ID)
		}

		steps := []struct {
			name     string
			material int64
			deputy   int64
			first    bool
			err      error
		}{
			{"first study is recorded", ids[1], deps[0], true, nil},
			{"studying again changes nothing", ids[1], deps[0], false, nil},
			{"another deputy counts separately", ids[1], deps[1], true, nil},
			{"a second material", ids[2], deps[0], true, nil},
			{"a scheduled material cannot be studied yet", ids[3], deps[0], false, model.ErrNotFound},
			{"a missing material", 9999, deps[0], false, model.ErrNotFound},
			{"a missing deputy", ids[0], 9999, false, model.ErrNotFound},
		}
		for _, st := range steps {
			first, err := db.MarkStudied(ctx, st.material, st.deputy)
			if first != st.first || !errors.Is(err, st.err) {
				t.Errorf("%s: first %v, err %v; want %v, %v", st.name, first, err, st.first, st.err)
			}
		}

		latest, err := db.LatestMaterials(ctx, deps[0], 3)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range latest {
			got = append(got, fmt.Sprintf("%s:%v", m.Title, m.Studied()))
		}
		if want := "[立即发布:false 立法法要点:true 代表法解读:true]"; fmt.Sprint(got) != want {
			t.Fatalf("latest for deputy 1: %v, want %s", got, want)
		}
		if latest[1].StudiedAt == nil || !latest[1].StudiedAt.Equal(now) || latest[1].Summary != "新修订" {
			t.Fatalf("studied material read back %+v", latest[1])
		}
		other, _ := db.LatestMaterials(ctx, deps[1], 10)
		if len(other) != 4 || other[2].Title != "代表法解读" || !other[2].Studied() || other[1].Studied() {
			t.Fatalf("latest for deputy 2: %+v", other)
		}

		counts, err := db.StudyCounts(ctx)
		if err != nil || fmt.Sprint(counts) != fmt.Sprintf("map[%d:2 %d:1]", ids[1], ids[2]) {
			t.Fatalf("study counts %v, %v", counts, err)
		}
		some, err := db.StudyCounts(ctx, ids[0], ids[2])
		if err != nil || len(some) != 1 || some[ids[2]] != 1 {
			t.Fatalf("study counts of two %v, %v", some, err)
		}
		all, total, err := db.ListMaterials(ctx, model.MaterialFilter{Limit: 2}, time.Now())
		if err != nil || total != 5 || len(all) != 2 || all[0].Title != "下周发布" {
			t.Fatalf("list materials %+v (%d), %v", all, total, err)
		}
		if _, err := db.GetMaterial(ctx, 9999); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("missing material: %v", err)
		}
	})
}
