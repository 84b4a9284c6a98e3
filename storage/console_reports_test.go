package storage_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestConsoleSuggestionQueries(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ids := suggestionFixture(t, db, "王芳", "李强", "张_伟")
		createSuggestion(t, db, "第0001号", "省教育厅", "十四届二次", ids[0])
		createSuggestion(t, db, "第0012号", "省交通运输厅", "十四届三次", ids[1], ids[0])
		third := createSuggestion(t, db, "第0123号", "省教育厅", "十四届三次", ids[2])
		numbers := func(q model.SuggestionFilter) []string {
			t.Helper()
			items, total, err := db.ListSuggestionItems(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range items {
				out = append(out, it.Number+"/"+it.LeadName)
			}
			if total != len(out) && q.Limit == 0 {
				t.Fatalf("total %d, %d items", total, len(out))
			}
			return out
		}
		tests := []struct {
			name string
			q    model.SuggestionFilter
			want []string
		}{
			{"all, with the lead's name", model.SuggestionFilter{}, []string{"第0001号/王芳", "第0012号/李强", "第0123号/张_伟"}},
			{"part of a number", model.SuggestionFilter{Number: "12"}, []string{"第0012号/李强", "第0123号/张_伟"}},
			{"a seconder's name", model.SuggestionFilter{DeputyName: "王"}, []string{"第0001号/王芳", "第0012号/李强"}},
			{"a LIKE wildcard is a literal", model.SuggestionFilter{DeputyName: "_"}, []string{"第0123号/张_伟"}},
			{"% matches nothing", model.SuggestionFilter{Number: "%"}, nil},
			{"text and unit together", model.SuggestionFilter{HostUnit: "省教育厅", Number: "1"},
				[]string{"第0001号/王芳", "第0123号/张_伟"}},
			{"a page", model.SuggestionFilter{Limit: 1, Offset: 1}, []string{"第0012号/李强"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := numbers(tt.q); !slices.Equal(got, tt.want) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			})
		}
		units, err := db.SuggestionUnits(ctx)
		if err != nil || !slices.Equal(units, []string{"省交通运输厅", "省教育厅"}) && !slices.Equal(units, []string{"省教育厅", "省交通运输厅"}) {
			t.Fatalf("units %v %v", units, err)
		}
		sessions, err := db.SuggestionSessions(ctx)
		if err != nil || !slices.Equal(sessions, []string{"十四届三次", "十四届二次"}) {
			t.Fatalf("sessions %v %v", sessions, err)
		}
		if err := db.AddSuggestionStep(ctx, &model.SuggestionStep{SuggestionID: third.ID, Kind: model.StepReplied,
			ReplyCategory: "A", Note: "已解决"}, ""); err != nil {
			t.Fatal(err)
		}
		counts, err := db.SuggestionStatusCounts(ctx, model.SuggestionFilter{Session: "十四届三次"})
		if err != nil || counts[model.SuggestionAssigned] != 1 || counts[model.SuggestionReplied] != 1 || len(counts) != 2 {
			t.Fatalf("counts %v %v", counts, err)
		}
		taken, err := db.ExistingSuggestionNumbers(ctx, []string{"第0001号", "第0999号"})
		if err != nil || !taken["第0001号"] || taken["第0999号"] {
			t.Fatalf("taken %v %v", taken, err)
		}
	})
}

func TestCreateSuggestionsIsAllOrNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ids := suggestionFixture(t, db, "王芳", "李强")
		createSuggestion(t, db, "第0002号", "省教育厅", "", ids[0])
		batch := []model.NewSuggestion{
			{Suggestion: &model.Suggestion{Number: "第0001号", Title: "甲", HostUnit: "省教育厅", LeadDeputyID: ids[0]}, Seconders: []int64{ids[1]}},
			{Suggestion: &model.Suggestion{Number: "第0002号", Title: "乙", HostUnit: "省教育厅", LeadDeputyID: ids[1]}},
		}
		if err := db.CreateSuggestions(ctx, batch); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("a taken number: %v", err)
		}
		if n, _ := db.CountRows(ctx, "suggestions"); n != 1 {
			t.Fatalf("%d suggestions after a failed batch", n)
		}
		batch[1].Suggestion.Number = "第0003号"
		if err := db.CreateSuggestions(ctx, batch); err != nil {
			t.Fatal(err)
		}
		sg, err := db.GetSuggestion(ctx, batch[0].Suggestion.ID)
		if err != nil || sg.Status != model.SuggestionAssigned || len(sg.Deputies) != 2 {
			t.Fatalf("%+v %v", sg, err)
		}
		steps, _ := db.SuggestionSteps(ctx, sg.ID)
		if len(steps) != 1 || steps[0].Kind != model.StepAssigned {
			t.Fatalf("steps %+v", steps)
		}
	})
}

func TestListOpinionsByAuthorName(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ids := suggestionFixture(t, db, "王芳", "李强")
		for i, id := range ids {
			o := model.Opinion{DeputyID: id, Category: model.OpinionSocial, Body: "意见" + string(rune('A'+i))}
			if err := db.CreateOpinion(ctx, &o); err != nil {
				t.Fatal(err)
			}
		}
		list, total, err := db.ListOpinions(ctx, model.OpinionFilter{DeputyName: "李"})
		if err != nil || total != 1 || len(list) != 1 || list[0].DeputyName != "李强" {
			t.Fatalf("%v %d %v", list, total, err)
		}
		if _, total, _ := db.ListOpinions(ctx, model.OpinionFilter{DeputyName: "%"}); total != 0 {
			t.Fatalf("%% matched %d", total)
		}
		if _, total, _ := db.ListOpinions(ctx, model.OpinionFilter{Category: model.OpinionSocial}); total != 2 {
			t.Fatalf("category: %d", total)
		}
	})
}
