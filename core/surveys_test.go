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

func sampleQuestions() []model.SurveyQuestion {
	return []model.SurveyQuestion{
		{Kind: model.QuestionSingle, Text: "您的代表层级", Options: []string{"全国", "省级"}},
		{Kind: model.QuestionMulti, Text: "希望的学习形式", Options: []string{"线下学习班", "网络平台", "专题讲座"}},
		{Kind: model.QuestionScale, Text: "对服务的满意度"},
		{Kind: model.QuestionText, Text: "其他建议", Optional: true},
	}
}

func TestSurveyCreateValidation(t *testing.T) {
	now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	s := &Surveys{now: func() time.Time { return now }} // refused before storage is reached
	with := func(edit func(*model.Survey)) model.Survey {
		sv := model.Survey{Title: "满意度调查", ClosesAt: now.AddDate(0, 0, 7), Questions: sampleQuestions()}
		edit(&sv)
		return sv
	}
	opts := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("选项%d", i+1)
		}
		return out
	}
	tests := []struct {
		name  string
		in    model.Survey
		field string
		msg   string
	}{
		{"no title", with(func(s *model.Survey) { s.Title = " " }), "标题", "不能为空"},
		{"closing before it opens", with(func(s *model.Survey) { s.ClosesAt = now.Add(-time.Hour) }), "截止时间", "晚于"},
		{"no questions", with(func(s *model.Survey) { s.Questions = nil }), "题目", "至少"},
		{"an unknown kind", with(func(s *model.Survey) { s.Questions[0].Kind = "rank" }), "第1题", "题型"},
		{"a question without text", with(func(s *model.Survey) { s.Questions[2].Text = "" }), "第3题", "题目不能为空"},
		{"a single choice with one option", with(func(s *model.Survey) { s.Questions[0].Options = opts(1) }), "第1题", "2–10"},
		{"a multiple choice with eleven options", with(func(s *model.Survey) { s.Questions[1].Options = opts(11) }), "第2题", "2–10"},
		{"blank options do not count", with(func(s *model.Survey) { s.Questions[0].Options = []string{"是", " "} }), "第1题", "2–10"},
		{"repeated options", with(func(s *model.Survey) { s.Questions[1].Options = []string{"甲", "乙", "甲"} }), "第2题", "重复"},
		{"a scale with options", with(func(s *model.Survey) { s.Questions[2].Options = opts(5) }), "第3题", "1–5"},
		{"a text question with options", with(func(s *model.Survey) { s.Questions[3].Options = opts(2) }), "第4题", "不需要选项"},
	}
	for _, tt := range tests {
		err := s.Create(context.Background(), &tt.in)
		var v ValidationError
		if !errors.As(err, &v) || v[0].Label != tt.field || !strings.Contains(v[0].Msg, tt.msg) {
			t.Errorf("%s: %v; want %s: …%s…", tt.name, err, tt.field, tt.msg)
		}
	}
}

func TestParseSurveyAnswer(t *testing.T) {
	qs := sampleQuestions()
	for i := range qs {
		qs[i].Position = i + 1
	}
	single, multi, scale, text := qs[0], qs[1], qs[2], qs[3]
	tests := []struct {
		name string
		q    model.SurveyQuestion
		in   string
		want string
		bad  bool
	}{
		{"a choice by number", single, " 2 ", "2", false},
		{"a full-width number", single, "１", "1", false},
		{"a choice out of range", single, "3", "", true},
		{"a choice of zero", single, "0", "", true},
		{"a choice that is not a number", single, "省级", "", true},
		{"several choices, sorted", multi, "3，1", "1,3", false},
		{"several choices with 、 and spaces", multi, "2、 3", "2,3", false},
		{"a repeated choice", multi, "1,1", "", true},
		{"a choice beyond the options", multi, "1,4", "", true},
		{"a score", scale, "5", "5", false},
		{"a score too high", scale, "6", "", true},
		{"a score too low", scale, "0", "", true},
		{"text kept as written", text, " 多组织调研，１２月 ", "多组织调研，１２月", false},
		{"2,000 characters", text, strings.Repeat("字", 2000), strings.Repeat("字", 2000), false},
		{"2,001 characters", text, strings.Repeat("字", 2001), "", true},
		{"no answer", single, "  ", "", false},
	}
	for _, tt := range tests {
		got, err := ParseSurveyAnswer(tt.q, tt.in)
		var fe *FieldError
		if got != tt.want || (err != nil) != tt.bad || (tt.bad && (!errors.As(err, &fe) || fe.Label != fmt.Sprintf("第%d题", tt.q.Position))) {
			t.Errorf("%s: %q, %v; want %q (refused: %v)", tt.name, got, err, tt.want, tt.bad)
		}
	}
}

// surveysAt returns the surveys service with both clocks reading *now, and
// n deputies.
func surveysAt(t *testing.T, db *storage.DB, now *time.Time, n int) (*Surveys, []int64) {
	t.Helper()
	clock := func() time.Time { return *now }
	db.SetClock(clock)
	ids := make([]int64, n)
	for i := range ids {
		d := model.Deputy{Name: fmt.Sprintf("代表%d", i+1), Level: model.LevelProvincial}
		if err := db.CreateDeputy(context.Background(), &d); err != nil {
			t.Fatal(err)
		}
		ids[i] = d.ID
	}
	s := NewSurveys(db)
	s.now = clock
	return s, ids
}

func TestSubmitSurveyValidatesEachAnswer(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
		s, deps := surveysAt(t, db, &now, 1)
		sv := model.Survey{Title: "满意度调查", ClosesAt: now.AddDate(0, 0, 7), Questions: sampleQuestions()}
		if err := s.Create(ctx, &sv); err != nil {
			t.Fatal(err)
		}
		q := func(i int) int64 { return sv.Questions[i].ID }
		valid := func(edit func(map[int64]string)) map[int64]string {
			a := map[int64]string{q(0): "1", q(1): "1,2", q(2): "4"}
			edit(a)
			return a
		}
		tests := []struct {
			name    string
			answers map[int64]string
			field   string
		}{
			{"a required question left out", valid(func(a map[int64]string) { delete(a, q(2)) }), "第3题"},
			{"a required question left blank", valid(func(a map[int64]string) { a[q(0)] = " " }), "第1题"},
			{"a choice out of range", valid(func(a map[int64]string) { a[q(0)] = "3" }), "第1题"},
			{"repeated choices", valid(func(a map[int64]string) { a[q(1)] = "2,2" }), "第2题"},
			{"a score of six", valid(func(a map[int64]string) { a[q(2)] = "6" }), "第3题"},
			{"a text too long", valid(func(a map[int64]string) { a[q(3)] = strings.Repeat("字", 2001) }), "第4题"},
			{"a question of no survey", valid(func(a map[int64]string) { a[9999] = "1" }), "题目"},
		}
		for _, tt := range tests {
			if _, err := s.Submit(ctx, sv.ID, deps[0], tt.answers); fieldOf(err) != tt.field {
				t.Errorf("%s: %v, want a problem with %s", tt.name, err, tt.field)
			}
		}
		if ok, _ := s.HasAnswered(ctx, sv.ID, deps[0]); ok {
			t.Fatal("refused submissions recorded the deputy as answered")
		}
		if _, err := s.Submit(ctx, sv.ID, deps[0], valid(func(map[int64]string) {})); err != nil {
			t.Fatalf("the optional text question may be left out: %v", err)
		}
		if _, err := s.Submit(ctx, 9999, deps[0], nil); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("missing survey: %v", err)
		}
	})
}

func TestNamedSurveyRevisionsStopAtClose(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
		s, deps := surveysAt(t, db, &now, 1)
		sv := model.Survey{Title: "实名调查", ClosesAt: now.AddDate(0, 0, 7), Questions: sampleQuestions()}
		if err := s.Create(ctx, &sv); err != nil {
			t.Fatal(err)
		}
		answer := func(single string) map[int64]string {
			return map[int64]string{sv.Questions[0].ID: single, sv.Questions[1].ID: "3", sv.Questions[2].ID: "5"}
		}
		steps := []struct {
			name    string
			advance time.Duration
			single  string
			revised bool
			err     error
		}{
			{"first answer", 0, "1", false, nil},
			{"a revision the next day", 24 * time.Hour, "2", true, nil},
			{"a revision in the last second", 6*24*time.Hour - time.Second, "1", true, nil},
			{"a revision at close", time.Second, "2", false, model.ErrSurveyClosed},
		}
		for _, st := range steps {
			now = now.Add(st.advance)
			revised, err := s.Submit(ctx, sv.ID, deps[0], answer(st.single))
			if revised != st.revised || !errors.Is(err, st.err) {
				t.Errorf("%s: revised %v, %v; want %v, %v", st.name, revised, err, st.revised, st.err)
			}
		}
		res, err := s.Results(ctx, sv.ID)
		if err != nil || res.Responses != 1 || fmt.Sprint(res.Questions[0].Counts) != "[1 0]" {
			t.Fatalf("results keep the last accepted revision: %+v, %v", res, err)
		}
		if open, _ := s.OpenFor(ctx, deps[0]); len(open) != 0 {
			t.Fatalf("closed survey still offered: %+v", open)
		}
	})
}

func TestAnonymousSurveyTakesOneResponse(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
		s, deps := surveysAt(t, db, &now, 3)
		sv := model.Survey{Title: "匿名调查", Anonymous: true, ClosesAt: now.AddDate(0, 0, 7), Questions: sampleQuestions()}
		if err := s.Create(ctx, &sv); err != nil {
			t.Fatal(err)
		}
		if open, _ := s.OpenFor(ctx, deps[0]); len(open) != 1 {
			t.Fatalf("open surveys before answering: %+v", open)
		}
		for i, scores := range []string{"5", "3", "4"} {
			a := map[int64]string{sv.Questions[0].ID: "2", sv.Questions[1].ID: fmt.Sprint(i + 1), sv.Questions[2].ID: scores}
			if i == 0 {
				a[sv.Questions[3].ID] = "希望多安排视察"
			}
			if _, err := s.Submit(ctx, sv.ID, deps[i], a); err != nil {
				t.Fatal(err)
			}
		}
		again := map[int64]string{sv.Questions[0].ID: "1", sv.Questions[1].ID: "1", sv.Questions[2].ID: "1"}
		if _, err := s.Submit(ctx, sv.ID, deps[0], again); !errors.Is(err, model.ErrAlreadyAnswered) {
			t.Fatalf("second anonymous submission: %v, want ErrAlreadyAnswered", err)
		}
		if open, _ := s.OpenFor(ctx, deps[0]); len(open) != 0 {
			t.Fatalf("answered, but still offered: %+v", open)
		}
		var linked int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM survey_responses WHERE survey_id = ? AND deputy_id IS NOT NULL`,
			sv.ID).Scan(&linked); err != nil || linked != 0 {
			t.Fatalf("%d anonymous responses carry a deputy (%v)", linked, err)
		}
		res, err := s.Results(ctx, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(res.Responses, res.Questions[0].Counts, res.Questions[1].Counts, res.Questions[2].Counts,
			res.Questions[2].Average, res.Questions[3].Texts)
		if want := "3 [0 3] [1 1 1] [0 0 1 1 1] 4 [希望多安排视察]"; got != want {
			t.Fatalf("results %s, want %s", got, want)
		}
	})
}
