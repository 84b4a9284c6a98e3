package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestPublishMaterialValidation(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	m := &Materials{now: func() time.Time { return now }} // refused before storage is reached
	tests := []struct {
		name  string
		in    model.Material
		field string
	}{
		{"no title", model.Material{Link: "https://example.org"}, "标题"},
		{"a title too long", model.Material{Title: strings.Repeat("题", 201), Body: "x"}, "标题"},
		{"neither link nor body", model.Material{Title: "宪法学习"}, "链接或正文"},
		{"a link that is not a web address", model.Material{Title: "宪法学习", Link: "javascript:alert(1)"}, "链接"},
		{"a summary too long", model.Material{Title: "宪法学习", Body: "x", Summary: strings.Repeat("摘", 501)}, "摘要"},
	}
	for _, tt := range tests {
		if err := m.Publish(context.Background(), &tt.in); fieldOf(err) != tt.field {
			t.Errorf("%s: %v, want a problem with %s", tt.name, err, tt.field)
		}
	}
}

func TestStudyMaterials(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		db.SetClock(clock)
		m := NewMaterials(db)
		m.now = clock
		d := model.Deputy{Name: "钱进", Level: model.LevelProvincial}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i, title := range []string{"宪法", "代表法", "立法法", "监督法"} {
			mat := model.Material{Title: " " + title + " ", Link: "https://example.org/" + fmt.Sprint(i), PublishedAt: now.AddDate(0, 0, i-3)}
			if err := m.Publish(ctx, &mat); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, mat.ID)
		}
		now = now.Add(time.Hour)

		steps := []struct {
			name      string
			mark      func() (model.Material, bool, error)
			wantTitle string
			first     bool
			field     string
			err       error
		}{
			{"the 2nd of the latest three", func() (model.Material, bool, error) { return m.MarkStudiedNth(ctx, d.ID, 2, 3) }, "立法法", true, "", nil},
			{"the same again, by id", func() (model.Material, bool, error) { return m.MarkStudied(ctx, d.ID, ids[2]) }, "立法法", false, "", nil},
			{"the oldest, by id", func() (model.Material, bool, error) { return m.MarkStudied(ctx, d.ID, ids[0]) }, "宪法", true, "", nil},
			{"a number beyond the list", func() (model.Material, bool, error) { return m.MarkStudiedNth(ctx, d.ID, 4, 3) }, "", false, "序号", nil},
			{"a number zero", func() (model.Material, bool, error) { return m.MarkStudiedNth(ctx, d.ID, 0, 3) }, "", false, "序号", nil},
			{"a missing material", func() (model.Material, bool, error) { return m.MarkStudied(ctx, d.ID, 9999) }, "", false, "", model.ErrNotFound},
		}
		for _, st := range steps {
			mat, first, err := st.mark()
			if mat.Title != st.wantTitle || first != st.first || fieldOf(err) != st.field || (st.err != nil && !errors.Is(err, st.err)) ||
				(st.err == nil && st.field == "" && err != nil) {
				t.Errorf("%s: %q, first %v, %v", st.name, mat.Title, first, err)
			}
		}

		latest, err := m.Latest(ctx, d.ID, 3)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range latest {
			got = append(got, fmt.Sprintf("%s:%v", x.Title, x.Studied()))
		}
		if want := "[监督法:false 立法法:true 代表法:false]"; fmt.Sprint(got) != want {
			t.Fatalf("latest %v, want %s", got, want)
		}
		counts, err := m.StudyCounts(ctx)
		if err != nil || counts[ids[0]] != 1 || counts[ids[2]] != 1 || len(counts) != 2 {
			t.Fatalf("study counts %v, %v", counts, err)
		}
	})
}

func TestMarkStudiedNthWithNoMaterials(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	m := NewMaterials(db)
	if _, _, err := m.MarkStudiedNth(context.Background(), 1, 1, 5); fieldOf(err) != "序号" {
		t.Fatalf("no materials: %v", err)
	}
}
