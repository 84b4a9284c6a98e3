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

// TestMaterialSearchIndex checks the index both databases answer: what a
// search finds is exactly the materials holding each word as written
// (case aside), title matches first, and the index follows edits and
// covers materials from before it.
func TestMaterialSearchIndex(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		ids := map[string]int64{}
		for i, m := range []model.Material{
			{Title: "代表履职手册", Body: "其中一章讲预算审查，另一章讲代表建议。"},
			{Title: "预算审查监督", Summary: "全口径", Body: "正文"},
			{Title: "中华人民共和国预算法解读", Body: "预算应当公开。"},
			{Title: "算法与预测", Body: "这里有预，有算，也有预测、算法，但没有那个词。"},
			{Title: "GDP 核算", Summary: "国内生产总值（gdp）的统计口径", Body: "哈哈哈哈"},
			{Title: "摘要里才有", Summary: "专项债券的发行和使用", Body: "无"},
			{Title: "草稿：预算", Body: "未发布", Status: model.MaterialDraft},
		} {
			m.PublishedAt = now.Add(time.Duration(i-10) * time.Hour)
			if err := db.CreateMaterial(ctx, &m); err != nil {
				t.Fatal(err)
			}
			ids[m.Title] = m.ID
		}
		search := func(q string) string {
			t.Helper()
			rows, total, err := db.ListMaterials(ctx, model.MaterialFilter{Q: q}, now)
			if err != nil {
				t.Fatal(err)
			}
			if total != len(rows) {
				t.Fatalf("%q: total %d for %d rows", q, total, len(rows))
			}
			var titles []string
			for _, r := range rows {
				titles = append(titles, r.Title)
			}
			return strings.Join(titles, "|")
		}
		for _, tc := range []struct{ q, want string }{
			{"预算", "草稿：预算|中华人民共和国预算法解读|预算审查监督|代表履职手册"},
			{"预算法", "中华人民共和国预算法解读"},
			{"预算审查", "预算审查监督|代表履职手册"},
			{"预测", "算法与预测"},
			{"预算法解读", "中华人民共和国预算法解读"},
			{"预算法解", "中华人民共和国预算法解读"},
			{"没有那个词", "算法与预测"},
			{"gdp", "GDP 核算"},
			{"Gdp 口径", "GDP 核算"},
			{"哈哈哈", "GDP 核算"},
			{"哈哈哈哈哈", ""},
			{"债券", "摘要里才有"},
			{"审", "预算审查监督|代表履职手册"},
			{"读", "中华人民共和国预算法解读"},
			{"代表 建议", "代表履职手册"},
			{"监督法", ""},
			{"100%", ""},
		} {
			if got := search(tc.q); got != tc.want {
				t.Errorf("search %q = %q, want %q", tc.q, got, tc.want)
			}
		}

		t.Run("paging keeps the order and the total", func(t *testing.T) {
			rows, total, err := db.ListMaterials(ctx, model.MaterialFilter{Q: "预算", Limit: 2, Offset: 1}, now)
			if err != nil || total != 4 || len(rows) != 2 || rows[0].Title != "中华人民共和国预算法解读" || rows[1].Title != "预算审查监督" {
				t.Fatalf("%d %v %+v", total, err, rows)
			}
			rows, total, _ = db.ListMaterials(ctx, model.MaterialFilter{Q: "预算", Status: model.MaterialPublished}, now)
			if total != 3 || len(rows) != 3 {
				t.Fatalf("published only: %d", total)
			}
		})

		t.Run("a deputy finds only what is published", func(t *testing.T) {
			deps := addTestDeputies(t, db, 1)
			got, err := db.DeputyMaterials(ctx, deps[0], "预算", 2)
			if err != nil || len(got) != 2 || got[0].Title != "中华人民共和国预算法解读" || got[1].Title != "预算审查监督" {
				t.Fatalf("%v %+v", err, got)
			}
		})

		t.Run("an edit re-indexes", func(t *testing.T) {
			m, err := db.GetMaterial(ctx, ids["算法与预测"])
			if err != nil {
				t.Fatal(err)
			}
			m.Body = "改写后讲监督法。"
			if err := db.UpdateMaterial(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if got := search("监督法"); got != "算法与预测" {
				t.Errorf("after the edit 监督法 = %q", got)
			}
			if got := search("没有那个词"); got != "" {
				t.Errorf("the old body is still found: %q", got)
			}
		})

		t.Run("materials from before the index are indexed by Migrate", func(t *testing.T) {
			// As before migration 00083 (the generation says the index changed).
			if _, err := db.SQL().ExecContext(ctx, `DELETE FROM material_grams`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL().ExecContext(ctx, `UPDATE material_search_generation SET n = n + 1`); err != nil {
				t.Fatal(err)
			}
			if got := search("预算法"); got != "" {
				t.Fatalf("no index, found %q", got)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if got := search("预算法"); got != "中华人民共和国预算法解读" {
				t.Fatalf("after Migrate: %q", got)
			}
		})
	})
}

// TestAPageOfAWordStopsEarlyAndAgrees: a deputy's list of a word of three
// characters or more (the chat's five, the H5 list's twenty) walks the
// index a chunk at a time and stops early; it must give the same
// materials, in the same order, as the staff list that checks them all.
func TestAPageOfAWordStopsEarlyAndAgrees(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		// 600 materials all holding 人大 (the word's first bigram); the
		// word 人大常委会 in the title of a few old ones, the summary of
		// some, the body of others, and only 人大 … 常委会 apart in the rest.
		var ms []*model.Material
		for i := range 600 {
			m := &model.Material{Title: fmt.Sprintf("材料%d", i), Summary: "人大代表", Body: "人大代表和常委会。",
				PublishedAt: now.Add(-time.Duration(600-i) * time.Minute)}
			switch {
			case i%97 == 0:
				m.Title = fmt.Sprintf("人大常委会材料%d", i)
			case i%13 == 0:
				m.Summary = "省人大常委会组织视察"
			case i%5 == 0:
				m.Body = "正文提到人大常委会。"
			}
			if i == 599 {
				m.Status = model.MaterialDraft
				m.Title = "人大常委会草稿"
			}
			ms = append(ms, m)
		}
		if err := db.CreateMaterials(ctx, ms); err != nil {
			t.Fatal(err)
		}
		deps := addTestDeputies(t, db, 1)
		all, total, err := db.ListMaterials(ctx, model.MaterialFilter{Q: "人大常委会", Status: model.MaterialPublished}, now)
		if err != nil || total < 100 {
			t.Fatalf("%d %v", total, err)
		}
		if rows, n, err := db.ListMaterials(ctx, model.MaterialFilter{Q: "人大"}, now); err != nil || n != 600 || len(rows) != 600 ||
			rows[0].Title != "人大常委会草稿" {
			t.Fatalf("all 600 holding 人大: %d rows of %d, %v", len(rows), n, err)
		}
		if !strings.HasPrefix(all[0].Title, "人大常委会材料") || all[len(all)-1].Body != "正文提到人大常委会。" {
			t.Fatalf("order: first %q, last %q", all[0].Title, all[len(all)-1].Title)
		}
		for _, n := range []int{1, 5, 7, 20, 60, total + 5} {
			got, err := db.DeputyMaterials(ctx, deps[0], "人大常委会", n)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != min(n, total) {
				t.Fatalf("limit %d: %d materials", n, len(got))
			}
			for i := range got {
				if got[i].ID != all[i].ID {
					t.Fatalf("limit %d: #%d is %q, the staff list has %q", n, i, got[i].Title, all[i].Title)
				}
			}
		}
	})
}

// TestMaterialSearchAcrossInstances: two instances on one database; what
// one writes, the other's search (the staff list, which keeps results
// while the index's generation stays the same) finds at once.
func TestMaterialSearchAcrossInstances(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			var dsn string
			switch d {
			case storage.SQLite:
				dsn = t.TempDir() + "/deputybot.db"
			case storage.MySQL:
				dsn = storagetest.NewMySQLDatabase(t)
			}
			open := func() *storage.DB {
				db, err := storage.Open(ctx, string(d), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return db
			}
			a, b := open(), open()
			now := time.Now()
			search := func(q string) int {
				t.Helper()
				_, total, err := a.ListMaterials(ctx, model.MaterialFilter{Q: q, Limit: 10}, now)
				if err != nil {
					t.Fatal(err)
				}
				return total
			}
			if n := search("预算法"); n != 0 {
				t.Fatalf("empty database: %d", n)
			}
			m := model.Material{Title: "预算法解读", Body: "预算应当公开。", PublishedAt: now.Add(-time.Minute)}
			if err := b.CreateMaterial(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if n := search("预算法"); n != 1 {
				t.Fatalf("after the other instance's write: %d", n)
			}
			m.Title = "监督法解读"
			if err := b.UpdateMaterial(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if n := search("预算法"); n != 0 {
				t.Fatalf("after the other instance's edit: %d", n)
			}
			if n := search("监督法"); n != 1 {
				t.Fatalf("the new title: %d", n)
			}
		})
	}
}
