package storage_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// Ratings and steps written at once by many connections, to the same
// suggestions, leave the kept counts equal to a recount: each write reads
// the share it changes under the suggestion's lock.
func TestKeptSuggestionCountsUnderConcurrentWrites(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		names := make([]string, 8)
		for i := range names {
			names[i] = fmt.Sprintf("代表%d", i+1)
		}
		ids := suggestionFixture(t, db, names...)
		var sugs []model.Suggestion
		for i := range 4 {
			s := createSuggestion(t, db, fmt.Sprintf("第%04d号", i+1), []string{"省水利厅", "省教育厅"}[i%2], "十四届三次", ids[0])
			if err := db.AddSuggestionStep(ctx, &model.SuggestionStep{SuggestionID: s.ID, Kind: model.StepReplied,
				ReplyCategory: "A", Note: "已解决"}, ""); err != nil {
				t.Fatal(err)
			}
			sugs = append(sugs, s)
		}
		results := []string{model.RatingSatisfied, model.RatingBasic, model.RatingDissatisfied}
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for d, deputy := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range sugs {
					s := sugs[(k+d)%len(sugs)]
					r := &model.SuggestionRating{SuggestionID: s.ID, DeputyID: deputy, Contact: model.ContactPhone,
						Attitude: model.RatingSatisfied, Result: results[(d+k)%3], RatedAt: sugT0}
					var then *model.SuggestionStep
					if r.Result == model.RatingDissatisfied {
						r.Reason = "未落实"
						then = &model.SuggestionStep{SuggestionID: s.ID, Kind: model.StepRehandling, Note: "未落实"}
					}
					if err := db.UpsertRating(ctx, r, then); err != nil {
						errs <- err
					}
				}
			}()
		}
		for _, s := range sugs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, kind := range []string{model.StepReplied, model.StepNote, model.StepConcluded} {
					if err := db.AddSuggestionStep(ctx, &model.SuggestionStep{SuggestionID: s.ID, Kind: kind,
						ReplyCategory: "B", Note: "再答复"}, ""); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		ok, diff, err := db.KeptSuggestionCountsRight(ctx)
		if err != nil || !ok {
			t.Fatalf("after concurrent writes the kept counts differ from a recount: %s %v", diff, err)
		}
		total, _, err := db.SuggestionRates(ctx, model.SuggestionRatesFilter{Session: "十四届三次"})
		if err != nil || total.Total != 4 || total.Rated != 32 || total.RatedSuggestions != 4 {
			t.Fatalf("rates after concurrent writes: %+v %v", total, err)
		}
	})
}

// The migration that made suggestion_counts fills it with the statement
// `migrate recount` runs, on both dialects.
func TestTheKeptCountsMigrationFillsAsRecountDoes(t *testing.T) {
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, d := range []string{"sqlite", "mysql"} {
		b, err := fs.ReadFile(storage.Migrations, "migrations/"+d+"/00130_kept_counts.sql")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(flat(string(b)), flat(storage.RecountSuggestionsQuery)) {
			t.Fatalf("%s: the migration does not fill suggestion_counts as RecountSuggestions does", d)
		}
	}
}
