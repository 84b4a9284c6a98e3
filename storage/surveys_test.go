package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// newTestSurvey stores a survey open for a week from opens, with one
// question of each kind.
func newTestSurvey(t *testing.T, db *storage.DB, anonymous bool, opens time.Time) model.Survey {
	t.Helper()
	s := model.Survey{Title: "代表履职服务满意度调查", Intro: "请如实填写", Anonymous: anonymous,
		OpensAt: opens, ClosesAt: opens.AddDate(0, 0, 7),
		Questions: []model.SurveyQuestion{
			{Kind: model.QuestionSingle, Text: "您参加过几次列席？", Options: []string{"从未", "一次", "多次"}},
			{Kind: model.QuestionMulti, Text: "您希望学习哪些内容？", Options: []string{"法律", "经济", "民生", "生态"}},
			{Kind: model.QuestionScale, Text: "对联络站工作的满意度"},
			{Kind: model.QuestionText, Text: "其他意见", Optional: true},
		}}
	if err := db.CreateSurvey(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func answersFor(s model.Survey, values ...string) []model.SurveyAnswer {
	var out []model.SurveyAnswer
	for i, v := range values {
		if v != "" {
			out = append(out, model.SurveyAnswer{QuestionID: s.Questions[i].ID, Value: v})
		}
	}
	return out
}

func TestCreateAndGetSurvey(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		opens := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		s := newTestSurvey(t, db, false, opens)
		got, err := db.GetSurvey(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != s.Title || got.Anonymous || !got.OpensAt.Equal(opens) || len(got.Questions) != 4 {
			t.Fatalf("read back %+v", got)
		}
		for i, q := range got.Questions {
			want := s.Questions[i]
			if q.ID != want.ID || q.Position != i+1 || q.Kind != want.Kind || q.Text != want.Text ||
				!slices.Equal(q.Options, want.Options) || q.Optional != want.Optional || q.Options == nil {
				t.Errorf("question %d read back %+v, want %+v", i+1, q, want)
			}
		}
		if _, err := db.GetSurvey(ctx, 9999); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("missing survey: %v", err)
		}
		list, err := db.ListSurveys(ctx)
		if err != nil || len(list) != 1 || list[0].ID != s.ID {
			t.Fatalf("list %+v, %v", list, err)
		}
	})
}

func TestNamedSurveyIsRevisableUntilItCloses(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		dep := addTestDeputies(t, db, 1)[0]
		opens := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		now := opens.Add(-time.Minute)
		db.SetClock(func() time.Time { return now })
		s := newTestSurvey(t, db, false, opens)

		if _, err := db.SubmitSurveyResponse(ctx, s.ID, dep, answersFor(s, "1", "1,2", "3")); !errors.Is(err, model.ErrSurveyClosed) {
			t.Fatalf("before it opens: %v, want ErrSurveyClosed", err)
		}
		if open, _ := db.OpenSurveysFor(ctx, dep, now); len(open) != 0 {
			t.Fatalf("not open yet, but listed: %+v", open)
		}
		now = opens.Add(time.Hour)
		if open, _ := db.OpenSurveysFor(ctx, dep, now); len(open) != 1 || open[0].ID != s.ID {
			t.Fatalf("open and unanswered: %+v", open)
		}
		revised, err := db.SubmitSurveyResponse(ctx, s.ID, dep, answersFor(s, "1", "1,2", "3", "多组织培训"))
		if err != nil || revised {
			t.Fatalf("first submission: revised %v, %v", revised, err)
		}
		if ok, _ := db.HasAnswered(ctx, s.ID, dep); !ok {
			t.Fatal("HasAnswered is false after submitting")
		}
		if open, _ := db.OpenSurveysFor(ctx, dep, now); len(open) != 0 {
			t.Fatalf("answered, but still listed for reminders: %+v", open)
		}

		now = s.ClosesAt.Add(-time.Second)
		revised, err = db.SubmitSurveyResponse(ctx, s.ID, dep, answersFor(s, "3", "4", "5"))
		if err != nil || !revised {
			t.Fatalf("revision before close: revised %v, %v", revised, err)
		}
		var owner int64
		if err := db.SQL().QueryRow(`SELECT deputy_id FROM survey_responses WHERE survey_id = ?`, s.ID).Scan(&owner); err != nil || owner != dep {
			t.Fatalf("a named response carries its deputy: %d, %v", owner, err)
		}
		res, err := db.SurveyResults(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Responses != 1 || fmt.Sprint(res.Questions[0].Counts) != "[0 0 1]" || fmt.Sprint(res.Questions[1].Counts) != "[0 0 0 1]" ||
			res.Questions[2].Average != 5 || res.Questions[3].Answered != 0 {
			t.Fatalf("the revision replaced the answers: %+v", res)
		}

		now = s.ClosesAt
		if _, err := db.SubmitSurveyResponse(ctx, s.ID, dep, answersFor(s, "2", "1", "1")); !errors.Is(err, model.ErrSurveyClosed) {
			t.Fatalf("revision at close: %v, want ErrSurveyClosed", err)
		}
		res, _ = db.SurveyResults(ctx, s.ID)
		if fmt.Sprint(res.Questions[0].Counts) != "[0 0 1]" {
			t.Fatalf("a refused revision changed the answers: %+v", res.Questions[0])
		}
	})
}

func TestAnonymousSurveyKeepsNoIdentity(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		deps := addTestDeputies(t, db, 2)
		opens := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		now := opens.Add(13*time.Hour + 17*time.Minute + 3*time.Second) // 21:17:03 in Beijing
		db.SetClock(func() time.Time { return now })
		s := newTestSurvey(t, db, true, opens)

		for i, dep := range deps {
			revised, err := db.SubmitSurveyResponse(ctx, s.ID, dep, answersFor(s, "2", "1,3", fmt.Sprint(4+i), "匿名意见"))
			if err != nil || revised {
				t.Fatalf("deputy %d: revised %v, %v", i, revised, err)
			}
		}
		if _, err := db.SubmitSurveyResponse(ctx, s.ID, deps[0], answersFor(s, "1", "1", "1")); !errors.Is(err, model.ErrAlreadyAnswered) {
			t.Fatalf("second anonymous submission: %v, want ErrAlreadyAnswered", err)
		}
		for _, dep := range deps {
			if ok, _ := db.HasAnswered(ctx, s.ID, dep); !ok {
				t.Fatalf("participant %d not recorded", dep)
			}
		}

		// The answer tables hold no column naming a deputy, and the one
		// that could (survey_responses.deputy_id) is NULL.
		wantColumns := map[string][]string{
			"survey_responses": {"id", "survey_id", "deputy_id", "submitted_at", "updated_at"},
			"survey_answers":   {"response_id", "question_id", "value"},
		}
		for table, want := range wantColumns {
			rows, err := db.SQL().Query(`SELECT * FROM ` + table + ` WHERE 1 = 0`)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			rows.Close()
			slices.Sort(cols)
			slices.Sort(want)
			if !slices.Equal(cols, want) {
				t.Fatalf("%s has columns %v; a new one may link answers to deputies", table, cols)
			}
		}
		var linked, stored int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM survey_responses WHERE survey_id = ? AND deputy_id IS NOT NULL`, s.ID).Scan(&linked)
		db.SQL().QueryRow(`SELECT COUNT(*) FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id
			WHERE r.survey_id = ?`, s.ID).Scan(&stored)
		if linked != 0 || stored != 8 {
			t.Fatalf("%d responses name a deputy, %d answers stored (want 0, 8)", linked, stored)
		}
		// Nor do times or ids give the order away: both the response and
		// the participant row carry only the day (Beijing), and ids are
		// not a sequence.
		day := time.Date(2026, 7, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		rows, err := db.SQL().Query(`SELECT id, submitted_at, updated_at FROM survey_responses WHERE survey_id = ?`, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			var sub, upd time.Time
			if err := rows.Scan(&id, &sub, &upd); err != nil {
				t.Fatal(err)
			}
			if !sub.Equal(day) || !upd.Equal(day) {
				t.Errorf("response times %v, %v; want only the day %v", sub, upd, day)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) != 2 || ids[0] < 1000 && ids[1] < 1000 {
			t.Errorf("response ids %v look like a sequence", ids)
		}
		var answeredAt time.Time
		db.SQL().QueryRow(`SELECT answered_at FROM survey_participants WHERE survey_id = ? AND deputy_id = ?`, s.ID, deps[0]).Scan(&answeredAt)
		if !answeredAt.Equal(day) {
			t.Errorf("participant answered_at %v, want only the day %v", answeredAt, day)
		}

		res, err := db.SurveyResults(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Responses != 2 || res.Questions[2].Average != 4.5 || fmt.Sprint(res.Questions[3].Texts) != "[匿名意见 匿名意见]" {
			t.Fatalf("results %+v", res)
		}
	})
}

func TestSurveyResponsesRefuseForeignQuestions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		dep := addTestDeputies(t, db, 1)[0]
		opens := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return opens.Add(time.Hour) })
		a := newTestSurvey(t, db, false, opens)
		b := newTestSurvey(t, db, false, opens)
		if _, err := db.SubmitSurveyResponse(ctx, a.ID, dep, answersFor(b, "1")); err == nil {
			t.Fatal("an answer to another survey's question was stored")
		}
		if ok, _ := db.HasAnswered(ctx, a.ID, dep); ok {
			t.Fatal("a refused submission recorded the participant")
		}
		if _, err := db.SubmitSurveyResponse(ctx, 9999, dep, nil); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("missing survey: %v", err)
		}
	})
}

func TestSurveyResults(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		deps := addTestDeputies(t, db, 3)
		opens := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return opens.Add(time.Hour) })
		s := newTestSurvey(t, db, false, opens)
		for i, values := range [][]string{
			{"1", "1,2", "5", "多组织调研"},
			{"3", "2,4", "4", ""},
			{"3", "2", "2", "加强培训"},
		} {
			if _, err := db.SubmitSurveyResponse(ctx, s.ID, deps[i], answersFor(s, values...)); err != nil {
				t.Fatal(err)
			}
		}
		res, err := db.SurveyResults(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name     string
			got      model.QuestionResult
			answered int
			counts   string
			average  float64
			texts    []string
		}{
			{"single choice counts", res.Questions[0], 3, "[1 0 2]", 0, nil},
			{"multiple choice counts", res.Questions[1], 3, "[1 3 0 1]", 0, nil},
			{"scale distribution and mean", res.Questions[2], 3, "[0 1 0 1 1]", 11.0 / 3, nil},
			{"texts", res.Questions[3], 2, "[]", 0, []string{"加强培训", "多组织调研"}},
		}
		for _, tt := range tests {
			texts := slices.Sorted(slices.Values(tt.got.Texts))
			if tt.got.Answered != tt.answered || fmt.Sprint(tt.got.Counts) != tt.counts || tt.got.Average != tt.average ||
				!slices.Equal(texts, tt.texts) {
				t.Errorf("%s: %+v", tt.name, tt.got)
			}
		}
		if res.Responses != 3 || res.Survey.Responses != 3 {
			t.Errorf("responses %d / %d, want 3", res.Responses, res.Survey.Responses)
		}
		if _, err := db.SurveyResults(ctx, 9999); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("missing survey: %v", err)
		}
	})
}

func TestConcurrentSubmissionsKeepOneResponsePerDeputy(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		dep := addTestDeputies(t, db, 1)[0]
		opens := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return opens.Add(time.Hour) })
		named := newTestSurvey(t, db, false, opens)
		anonymous := newTestSurvey(t, db, true, opens)
		const n = 8
		namedErrs, anonErrs := make([]error, n), make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, namedErrs[i] = db.SubmitSurveyResponse(ctx, named.ID, dep, answersFor(named, "1", "2", fmt.Sprint(1+i%5)))
			})
			wg.Go(func() {
				_, anonErrs[i] = db.SubmitSurveyResponse(ctx, anonymous.ID, dep, answersFor(anonymous, "1", "2", "3"))
			})
		}
		wg.Wait()
		accepted := 0
		for i := range n {
			if namedErrs[i] != nil {
				t.Errorf("named submission %d: %v", i, namedErrs[i])
			}
			switch {
			case anonErrs[i] == nil:
				accepted++
			case !errors.Is(anonErrs[i], model.ErrAlreadyAnswered):
				t.Errorf("anonymous submission %d: %v", i, anonErrs[i])
			}
		}
		for _, s := range []model.Survey{named, anonymous} {
			res, _ := db.SurveyResults(ctx, s.ID)
			if res.Responses != 1 || res.Questions[0].Answered != 1 {
				t.Errorf("survey %d (anonymous %v): %d responses, %d answers to Q1; want 1, 1",
					s.ID, s.Anonymous, res.Responses, res.Questions[0].Answered)
			}
		}
		if accepted != 1 {
			t.Errorf("%d anonymous submissions accepted, want 1", accepted)
		}
	})
}
