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

// suggestionFixture creates the named deputies and returns their ids in order.
func suggestionFixture(t *testing.T, db *storage.DB, names ...string) []int64 {
	t.Helper()
	ids := make([]int64, len(names))
	for i, name := range names {
		d := model.Deputy{Name: name, Level: model.LevelProvincial, Delegation: "济南市代表团"}
		if err := db.CreateDeputy(context.Background(), &d); err != nil {
			t.Fatal(err)
		}
		ids[i] = d.ID
	}
	return ids
}

func createSuggestion(t *testing.T, db *storage.DB, number, unit, session string, lead int64, seconders ...int64) model.Suggestion {
	t.Helper()
	s := model.Suggestion{Number: number, Title: "关于加强农村饮水安全保障的建议", Summary: "建议加大投入",
		Session: session, LeadDeputyID: lead, HostUnit: unit, CoUnits: "省财政厅、省卫生健康委"}
	if err := db.CreateSuggestion(context.Background(), &s, seconders); err != nil {
		t.Fatal(err)
	}
	return s
}

func sugClock(t time.Time) (func() time.Time, func(time.Duration)) {
	now := t
	return func() time.Time { return now }, func(d time.Duration) { now = now.Add(d) }
}

var sugT0 = time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)

func TestCreateSuggestionWithLeadAndSeconders(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock, _ := sugClock(sugT0)
		db.SetClock(clock)
		ids := suggestionFixture(t, db, "王芳", "李强", "张伟")
		deadline := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
		s := model.Suggestion{Number: "第0123号", Title: "关于加强农村饮水安全保障的建议", Session: "十四届人大三次会议",
			LeadDeputyID: ids[0], HostUnit: "省水利厅", CoUnits: "省财政厅", Deadline: &deadline}
		// The lead listed again among the seconders is not added twice.
		if err := db.CreateSuggestion(ctx, &s, []int64{ids[2], ids[1], ids[0]}); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetSuggestion(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != model.SuggestionAssigned || got.HostUnit != "省水利厅" || got.Deadline == nil ||
			got.Deadline.Format(time.DateOnly) != "2026-06-30" || !got.CreatedAt.Equal(sugT0) || got.RepliedAt != nil {
			t.Fatalf("read back %+v", got)
		}
		want := []model.SuggestionDeputy{
			{DeputyID: ids[0], Name: "王芳", Role: model.RoleLead},
			{DeputyID: ids[1], Name: "李强", Role: model.RoleSecond},
			{DeputyID: ids[2], Name: "张伟", Role: model.RoleSecond},
		}
		if fmt.Sprint(got.Deputies) != fmt.Sprint(want) {
			t.Fatalf("deputies %+v, want %+v", got.Deputies, want)
		}
		byNumber, err := db.GetSuggestionByNumber(ctx, "第0123号")
		if err != nil || byNumber.ID != s.ID || len(byNumber.Deputies) != 3 {
			t.Fatalf("by number: %+v, %v", byNumber, err)
		}
		steps, err := db.SuggestionSteps(ctx, s.ID)
		if err != nil || len(steps) != 1 || steps[0].Kind != model.StepAssigned || !steps[0].At.Equal(sugT0) {
			t.Fatalf("steps after create: %+v, %v", steps, err)
		}
		for _, tt := range []struct {
			deputy int64
			role   string
			ok     bool
		}{{ids[0], model.RoleLead, true}, {ids[1], model.RoleSecond, true}, {ids[2] + 100, "", false}} {
			role, ok, err := db.IsSuggestionDeputy(ctx, s.ID, tt.deputy)
			if err != nil || role != tt.role || ok != tt.ok {
				t.Errorf("IsSuggestionDeputy(%d) = %q, %v, %v; want %q, %v", tt.deputy, role, ok, err, tt.role, tt.ok)
			}
		}

		dup := model.Suggestion{Number: "第0123号", Title: "重复", LeadDeputyID: ids[1], HostUnit: "省教育厅"}
		if err := db.CreateSuggestion(ctx, &dup, nil); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("a duplicate number gives %v, want ErrConflict", err)
		}
		if _, err := db.GetSuggestion(ctx, s.ID+100); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a missing suggestion gives %v", err)
		}
		if _, err := db.GetSuggestionByNumber(ctx, "第9999号"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a missing number gives %v", err)
		}
	})
}

func TestSuggestionStepEffects(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock, advance := sugClock(sugT0)
		db.SetClock(clock)
		ids := suggestionFixture(t, db, "王芳")
		s := createSuggestion(t, db, "第0001号", "省水利厅", "十四届人大三次会议", ids[0])

		steps := []struct {
			name   string
			step   model.SuggestionStep
			expect string
			check  func(model.Suggestion) bool
		}{
			{"contacting an assigned suggestion starts handling",
				model.SuggestionStep{Kind: model.StepContacted, Actor: "省水利厅", Note: "电话联系"}, model.SuggestionAssigned,
				func(g model.Suggestion) bool { return g.Status == model.SuggestionHandling }},
			{"a note changes no status",
				model.SuggestionStep{Kind: model.StepNote, Actor: "选工委", Note: "催办"}, "",
				func(g model.Suggestion) bool { return g.Status == model.SuggestionHandling }},
			{"a reply stores category, text and time",
				model.SuggestionStep{Kind: model.StepReplied, Actor: "省水利厅", Note: "已列入年度计划", ReplyCategory: "B"}, model.SuggestionHandling,
				func(g model.Suggestion) bool {
					return g.Status == model.SuggestionReplied && g.ReplyCategory == "B" && g.ReplyText == "已列入年度计划" &&
						g.RepliedAt != nil && g.RepliedAt.Equal(sugT0.Add(3*time.Hour))
				}},
			{"concluding stores the time",
				model.SuggestionStep{Kind: model.StepConcluded, Actor: "选工委"}, model.SuggestionReplied,
				func(g model.Suggestion) bool {
					return g.Status == model.SuggestionConcluded && g.ConcludedAt != nil && g.ConcludedAt.Equal(sugT0.Add(4*time.Hour))
				}},
			{"sending back stores the reason and clears the conclusion",
				model.SuggestionStep{Kind: model.StepRehandling, Actor: "王芳", Note: "未实际解决"}, model.SuggestionConcluded,
				func(g model.Suggestion) bool {
					return g.Status == model.SuggestionRehandling && g.RehandleReason == "未实际解决" && g.ConcludedAt == nil &&
						g.ReplyCategory == "B"
				}},
			{"contacting during re-handling keeps re-handling",
				model.SuggestionStep{Kind: model.StepContacted, Actor: "省水利厅"}, model.SuggestionRehandling,
				func(g model.Suggestion) bool { return g.Status == model.SuggestionRehandling }},
		}
		for _, tt := range steps {
			advance(time.Hour)
			st := tt.step
			st.SuggestionID = s.ID
			if err := db.AddSuggestionStep(ctx, &st, tt.expect); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			got, err := db.GetSuggestion(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(got) || !got.UpdatedAt.Equal(clock()) || st.ID == 0 {
				t.Errorf("%s: suggestion now %+v", tt.name, got)
			}
		}
		history, err := db.SuggestionSteps(ctx, s.ID)
		if err != nil || len(history) != len(steps)+1 {
			t.Fatalf("history %+v, %v", history, err)
		}
		if h := history[3]; h.Kind != model.StepReplied || h.Note != "已列入年度计划" || h.Actor != "省水利厅" {
			t.Errorf("the reply step reads %+v", h)
		}

		before, _ := db.GetSuggestion(ctx, s.ID)
		wrong := model.SuggestionStep{SuggestionID: s.ID, Kind: model.StepConcluded}
		if err := db.AddSuggestionStep(ctx, &wrong, model.SuggestionReplied); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("a step expecting another status gives %v, want ErrConflict", err)
		}
		after, _ := db.GetSuggestion(ctx, s.ID)
		again, _ := db.SuggestionSteps(ctx, s.ID)
		if after.Status != before.Status || len(again) != len(history) {
			t.Fatalf("a refused step changed the suggestion: %+v, %d steps", after, len(again))
		}
		missing := model.SuggestionStep{SuggestionID: s.ID + 100, Kind: model.StepNote}
		if err := db.AddSuggestionStep(ctx, &missing, ""); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a step on a missing suggestion gives %v", err)
		}
	})
}

func TestListSuggestionsFilters(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ids := suggestionFixture(t, db, "王芳", "李强", "张伟")
		createSuggestion(t, db, "第0001号", "省水利厅", "十四届人大三次会议", ids[0], ids[1])
		createSuggestion(t, db, "第0002号", "省教育厅", "十四届人大三次会议", ids[1])
		createSuggestion(t, db, "第0003号", "省水利厅", "十四届人大二次会议", ids[2], ids[0])
		s4 := createSuggestion(t, db, "第0004号", "省教育厅", "十四届人大三次会议", ids[2])
		st := model.SuggestionStep{SuggestionID: s4.ID, Kind: model.StepReplied, Note: "答复", ReplyCategory: "A"}
		if err := db.AddSuggestionStep(ctx, &st, ""); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			filter model.SuggestionFilter
			want   []string
			total  int
		}{
			{"no filter lists all", model.SuggestionFilter{}, []string{"第0001号", "第0002号", "第0003号", "第0004号"}, 4},
			{"by status", model.SuggestionFilter{Status: model.SuggestionReplied}, []string{"第0004号"}, 1},
			{"by host unit", model.SuggestionFilter{HostUnit: "省水利厅"}, []string{"第0001号", "第0003号"}, 2},
			{"by deputy in any role", model.SuggestionFilter{DeputyID: ids[0]}, []string{"第0001号", "第0003号"}, 2},
			{"by session", model.SuggestionFilter{Session: "十四届人大二次会议"}, []string{"第0003号"}, 1},
			{"combined", model.SuggestionFilter{Session: "十四届人大三次会议", HostUnit: "省教育厅"}, []string{"第0002号", "第0004号"}, 2},
			{"one page", model.SuggestionFilter{Limit: 2, Offset: 1}, []string{"第0002号", "第0003号"}, 4},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := db.ListSuggestions(ctx, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				var numbers []string
				for _, s := range got {
					numbers = append(numbers, s.Number)
				}
				if fmt.Sprint(numbers) != fmt.Sprint(tt.want) || total != tt.total {
					t.Errorf("got %v (total %d), want %v (total %d)", numbers, total, tt.want, tt.total)
				}
			})
		}
	})
}

func TestRatingsAndDeputySuggestions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock, advance := sugClock(sugT0)
		db.SetClock(clock)
		ids := suggestionFixture(t, db, "王芳", "李强")
		s1 := createSuggestion(t, db, "第0001号", "省水利厅", "", ids[0], ids[1])
		createSuggestion(t, db, "第0002号", "省教育厅", "", ids[1], ids[0])
		reply := model.SuggestionStep{SuggestionID: s1.ID, Kind: model.StepReplied, Note: "答复", ReplyCategory: "A"}
		if err := db.AddSuggestionStep(ctx, &reply, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetRating(ctx, s1.ID, ids[0]); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("no rating yet gives %v", err)
		}

		advance(time.Hour)
		r := model.SuggestionRating{SuggestionID: s1.ID, DeputyID: ids[0], Contact: model.ContactFace,
			Attitude: model.RatingSatisfied, Result: model.RatingBasic, RatedAt: clock()}
		if err := db.UpsertRating(ctx, &r, nil); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetRating(ctx, s1.ID, ids[0])
		if err != nil || got.ID != r.ID || got.Result != model.RatingBasic || !got.RatedAt.Equal(clock()) || got.RevisedAt != nil {
			t.Fatalf("rating read back %+v, %v", got, err)
		}

		advance(time.Hour)
		revised := clock()
		r.Result, r.Reason, r.RevisedAt = model.RatingDissatisfied, "问题未解决", &revised
		back := &model.SuggestionStep{SuggestionID: s1.ID, Kind: model.StepRehandling, Actor: "王芳", Note: "问题未解决"}
		if err := db.UpsertRating(ctx, &r, back); err != nil {
			t.Fatal(err)
		}
		got, _ = db.GetRating(ctx, s1.ID, ids[0])
		if got.ID != r.ID || got.Result != model.RatingDissatisfied || !got.RatedAt.Equal(sugT0.Add(time.Hour)) ||
			got.RevisedAt == nil || !got.RevisedAt.Equal(revised) {
			t.Fatalf("revised rating reads %+v", got)
		}
		s, _ := db.GetSuggestion(ctx, s1.ID)
		if s.Status != model.SuggestionRehandling || s.RehandleReason != "问题未解决" || back.ID == 0 {
			t.Fatalf("a rating with a rehandling step leaves %+v", s)
		}
		all, err := db.SuggestionRatings(ctx, s1.ID)
		if err != nil || len(all) != 1 {
			t.Fatalf("ratings %+v, %v", all, err)
		}

		mine := func(deputy int64) map[string]bool {
			t.Helper()
			list, err := db.SuggestionsOfDeputy(ctx, deputy)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, d := range list {
				out[d.Number+" "+d.Role] = d.Rated
			}
			return out
		}
		want := map[string]bool{"第0001号 lead": true, "第0002号 second": false}
		if got := mine(ids[0]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("王芳's suggestions %v, want %v", got, want)
		}
		want = map[string]bool{"第0001号 second": false, "第0002号 lead": false}
		if got := mine(ids[1]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("李强's suggestions %v, want %v", got, want)
		}

		advance(24 * time.Hour)
		again := model.SuggestionStep{SuggestionID: s1.ID, Kind: model.StepReplied, Note: "重新答复", ReplyCategory: "A"}
		if err := db.AddSuggestionStep(ctx, &again, model.SuggestionRehandling); err != nil {
			t.Fatal(err)
		}
		if got := mine(ids[0]); got["第0001号 lead"] {
			t.Errorf("a rating of the earlier reply still shows as rated after a new reply")
		}
	})
}

func TestSuggestionRatesCounts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ids := suggestionFixture(t, db, "王芳", "李强", "张伟")
		step := func(s model.Suggestion, kind, category string) {
			t.Helper()
			st := model.SuggestionStep{SuggestionID: s.ID, Kind: kind, Note: "x", ReplyCategory: category}
			if err := db.AddSuggestionStep(ctx, &st, ""); err != nil {
				t.Fatal(err)
			}
		}
		rate := func(s model.Suggestion, deputy int64, result string) {
			t.Helper()
			r := model.SuggestionRating{SuggestionID: s.ID, DeputyID: deputy, Contact: model.ContactPhone,
				Attitude: model.RatingSatisfied, Result: result, RatedAt: sugT0}
			if err := db.UpsertRating(ctx, &r, nil); err != nil {
				t.Fatal(err)
			}
		}
		const s3 = "十四届人大三次会议"
		// 省水利厅: one concluded (rated satisfied and basic), one replied
		// (rated dissatisfied, then sent back), one only assigned.
		a := createSuggestion(t, db, "第0001号", "省水利厅", s3, ids[0], ids[1])
		step(a, model.StepReplied, "A")
		step(a, model.StepConcluded, "")
		rate(a, ids[0], model.RatingSatisfied)
		rate(a, ids[1], model.RatingBasic)
		b := createSuggestion(t, db, "第0002号", "省水利厅", s3, ids[2])
		step(b, model.StepReplied, "C")
		rate(b, ids[2], model.RatingDissatisfied)
		step(b, model.StepRehandling, "")
		createSuggestion(t, db, "第0003号", "省水利厅", s3, ids[0])
		// 省教育厅: one replied and rated satisfied.
		c := createSuggestion(t, db, "第0004号", "省教育厅", s3, ids[1])
		step(c, model.StepReplied, "B")
		rate(c, ids[1], model.RatingSatisfied)
		// Another session, left out by the session filter.
		d := createSuggestion(t, db, "第0005号", "省教育厅", "十四届人大二次会议", ids[2])
		step(d, model.StepReplied, "A")

		total, units, err := db.SuggestionRates(ctx, model.SuggestionRatesFilter{Session: s3})
		if err != nil {
			t.Fatal(err)
		}
		want := model.SuggestionCounts{Total: 4, Replied: 3, Concluded: 1, Rehandling: 1, RatedSuggestions: 3,
			Rated: 4, Satisfied: 3, Basic: 1, Dissatisfied: 1}
		if total != want {
			t.Errorf("totals %+v, want %+v", total, want)
		}
		wantUnits := []model.UnitSuggestionCounts{
			{HostUnit: "省教育厅", SuggestionCounts: model.SuggestionCounts{Total: 1, Replied: 1, RatedSuggestions: 1, Rated: 1, Satisfied: 1}},
			{HostUnit: "省水利厅", SuggestionCounts: model.SuggestionCounts{Total: 3, Replied: 2, Concluded: 1, Rehandling: 1,
				RatedSuggestions: 2, Rated: 3, Satisfied: 2, Basic: 1, Dissatisfied: 1}},
		}
		if fmt.Sprint(units) != fmt.Sprint(wantUnits) {
			t.Errorf("per unit %+v, want %+v", units, wantUnits)
		}

		one, units, err := db.SuggestionRates(ctx, model.SuggestionRatesFilter{HostUnit: "省教育厅"})
		if err != nil || one.Total != 2 || one.Replied != 2 || len(units) != 1 {
			t.Errorf("one unit, all sessions: %+v %+v, %v", one, units, err)
		}
		none, units, err := db.SuggestionRates(ctx, model.SuggestionRatesFilter{Session: "无此会议"})
		if err != nil || none != (model.SuggestionCounts{}) || len(units) != 0 {
			t.Errorf("no match: %+v %+v, %v", none, units, err)
		}
	})
}
