package core_test

import (
	"context"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// checkKeptCounts fails the test when the suggestion counts storage keeps
// differ from a recount of the tables.
func checkKeptCounts(t *testing.T, db *storage.DB, after string) {
	t.Helper()
	ok, diff, err := db.KeptSuggestionCountsRight(context.Background())
	if err != nil {
		t.Fatalf("after %s: %v", after, err)
	}
	if !ok {
		t.Fatalf("after %s the kept suggestion counts differ from a recount: %s", after, diff)
	}
}

// Every write to a suggestion or a rating keeps the counts the dashboard
// and the rates pages read: creating one or a batch, each step of the
// handling, ratings (new, revised, one that sends the suggestion back),
// in two sessions and two units; the rates read from them are the hand
// figures; a recount repairs counts gone wrong and finds nothing to
// repair in right ones.
func TestKeptSuggestionCountsFollowEveryWrite(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newSuggestionWorld(t, db, "王芳", "李强", "张伟")
		wang, li := w.deputy["王芳"], w.deputy["李强"]
		const s1, s2 = "十四届人大三次会议", "十四届人大四次会议"
		a := w.create(t, "第0001号", "省水利厅", s1, "王芳", "李强")
		checkKeptCounts(t, db, "creating a suggestion")
		b := w.create(t, "第0002号", "省教育厅", s1, "张伟")
		w.create(t, "第0003号", "省水利厅", s2, "李强")
		checkKeptCounts(t, db, "creating three")
		batch := []model.NewSuggestion{
			{Suggestion: &model.Suggestion{Number: "第0004号", Title: "甲", Session: s1, LeadDeputyID: wang, HostUnit: "省水利厅"}},
			{Suggestion: &model.Suggestion{Number: "第0005号", Title: "乙", Session: s1, LeadDeputyID: li, HostUnit: "省教育厅"},
				Seconders: []int64{wang}},
		}
		if err := db.CreateSuggestions(ctx, batch); err != nil {
			t.Fatal(err)
		}
		checkKeptCounts(t, db, "a batch")

		w.step(t, a.ID, model.StepContacted, "", "电话联系")
		checkKeptCounts(t, db, "contacted")
		w.step(t, a.ID, model.StepReplied, "B", "已列入计划")
		checkKeptCounts(t, db, "replied")
		satisfied := core.Rating{Contact: "当面沟通", Attitude: "满意", Result: "满意"}
		if _, err := w.svc.Rate(ctx, a.ID, wang, satisfied); err != nil {
			t.Fatal(err)
		}
		checkKeptCounts(t, db, "a rating")
		if _, err := w.svc.Rate(ctx, a.ID, li, core.Rating{Contact: "电话沟通", Attitude: "满意", Result: "基本满意"}); err != nil {
			t.Fatal(err)
		}
		checkKeptCounts(t, db, "a second rating")
		// 王芳 revises hers to dissatisfied: the suggestion goes back.
		w.advance(3600e9)
		if _, err := w.svc.Rate(ctx, a.ID, wang, core.Rating{Contact: "当面沟通", Attitude: "满意", Result: "不满意", Reason: "未落实"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.svc.Get(ctx, a.ID); got.Status != model.SuggestionRehandling {
			t.Fatalf("a dissatisfied rating left the status %s", got.Status)
		}
		checkKeptCounts(t, db, "a revised rating that sends the suggestion back")
		w.step(t, a.ID, model.StepReplied, "A", "已解决")
		w.step(t, a.ID, model.StepConcluded, "", "")
		checkKeptCounts(t, db, "replied again and concluded")
		w.step(t, b.ID, model.StepReplied, "C", "暂不具备条件")
		if _, err := w.svc.Rate(ctx, b.ID, w.deputy["张伟"], core.Rating{Contact: "电话沟通", Attitude: "满意", Result: "不满意", Reason: "无进展"}); err != nil {
			t.Fatal(err)
		}
		w.step(t, b.ID, model.StepNote, "", "再次协调")
		checkKeptCounts(t, db, "the second suggestion's reply, rating and note")

		// Session s1: a concluded (replied, two ratings: dissatisfied,
		// basic), b rehandling (replied, one dissatisfied), two assigned.
		overall, units, err := w.svc.Rates(ctx, model.SuggestionRatesFilter{Session: s1})
		if err != nil {
			t.Fatal(err)
		}
		want := model.SuggestionCounts{Total: 4, Replied: 2, Concluded: 1, Rehandling: 1, RatedSuggestions: 2, Rated: 3,
			Satisfied: 1, Basic: 1, Dissatisfied: 2}
		if overall.SuggestionCounts != want {
			t.Fatalf("rates of %s: %+v, want %+v", s1, overall.SuggestionCounts, want)
		}
		if len(units) != 2 || units[0].HostUnit != "省教育厅" || units[0].Total != 2 || units[1].HostUnit != "省水利厅" ||
			units[1].Total != 2 || units[1].Concluded != 1 || units[1].Rated != 2 {
			t.Fatalf("rates of %s by unit: %+v", s1, units)
		}
		byStatus, err := db.SuggestionStatusCounts(ctx, model.SuggestionFilter{Session: s1, HostUnit: "省水利厅"})
		if err != nil || len(byStatus) != 2 || byStatus[model.SuggestionConcluded] != 1 || byStatus[model.SuggestionAssigned] != 1 {
			t.Fatalf("counts by status of %s at 省水利厅: %v %v", s1, byStatus, err)
		}

		if n, err := db.RecountSuggestions(ctx); err != nil || n != 0 {
			t.Fatalf("a recount of right counts changed %d rows (%v)", n, err)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE suggestion_counts SET n = n + 5, rated = 0`); err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := db.KeptSuggestionCountsRight(ctx); ok {
			t.Fatal("counts broken by hand are found right")
		}
		if n, err := db.RecountSuggestions(ctx); err != nil || n == 0 {
			t.Fatalf("a recount of wrong counts changed %d rows (%v)", n, err)
		}
		checkKeptCounts(t, db, "a recount")
	})
}
