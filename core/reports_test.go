package core_test

import (
	"context"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestReportOfAMonthMatchesHandFigures(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newSuggestionWorld(t, db, "甲", "乙", "丙")
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(db.BindDeputy(ctx, w.deputy["甲"], "openid-jia"))
		must(db.BindDeputy(ctx, w.deputy["乙"], "openid-yi"))
		all := []int64{w.deputy["甲"], w.deputy["乙"], w.deputy["丙"]}
		oct := time.Date(2026, 10, 20, 2, 0, 0, 0, time.UTC)
		nov := time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC)

		// October: one material, studied only in November: not in October's
		// report (studied after it), nor in November's (published before).
		w.now = oct
		old := model.Material{Title: "十月学习材料", PublishedAt: oct}
		must(db.CreateMaterial(ctx, &old))
		w.now = nov
		_, err := db.MarkStudied(ctx, old.ID, w.deputy["甲"])
		must(err)
		// November: two materials, 甲 studies both, 乙 one.
		var mats []int64
		for _, title := range []string{"宪法学习", "代表法学习"} {
			m := model.Material{Title: title, PublishedAt: nov}
			must(db.CreateMaterial(ctx, &m))
			mats = append(mats, m.ID)
		}
		for _, s := range []struct {
			m int
			d string
		}{{0, "甲"}, {1, "甲"}, {0, "乙"}} {
			_, err := db.MarkStudied(ctx, mats[s.m], w.deputy[s.d])
			must(err)
		}
		// A notice to all three: three deliveries.
		must(db.Enqueue(ctx, "report-test", model.Push{DeputyIDs: all,
			Notice: model.Notice{Kind: "notice", Title: "通知"}}))
		// A meeting: 甲 attends and is marked present, 乙 on leave, 丙 silent.
		m := model.Meeting{Kind: "meeting", Title: "视察", StartsAt: nov.Add(48 * time.Hour), RSVPDeadline: nov.Add(24 * time.Hour)}
		must(db.CreateMeeting(ctx, &m))
		_, err = db.Invite(ctx, m.ID, all)
		must(err)
		must(db.AnswerInvitation(ctx, m.ID, w.deputy["甲"], model.RSVPAttend, "", "wechat"))
		must(db.AnswerInvitation(ctx, m.ID, w.deputy["乙"], model.RSVPLeave, "出差", "wechat"))
		_, err = db.SetAttendance(ctx, m.ID, []int64{w.deputy["甲"]}, nil)
		must(err)
		// An opinion, a survey with one response.
		must(db.CreateOpinion(ctx, &model.Opinion{DeputyID: w.deputy["乙"], Category: model.OpinionSocial, Body: "建议增设公交线路"}))
		sv := model.Survey{Title: "履职需求调查", OpensAt: nov, ClosesAt: nov.Add(7 * 24 * time.Hour),
			Questions: []model.SurveyQuestion{{Position: 1, Kind: model.QuestionSingle, Text: "满意吗", Options: []string{"是", "否"}}}}
		must(db.CreateSurvey(ctx, &sv))
		got, err := db.GetSurvey(ctx, sv.ID)
		must(err)
		_, err = db.SubmitSurveyResponse(ctx, sv.ID, w.deputy["甲"], []model.SurveyAnswer{{QuestionID: got.Questions[0].ID, Value: "1"}})
		must(err)
		// A suggestion filed, answered and rated 当面沟通/满意.
		s := w.create(t, "9", "省交通运输厅", sessionThree, "丙")
		w.step(t, s.ID, "replied", "A", "已解决")
		_, err = w.svc.Rate(ctx, s.ID, w.deputy["丙"], core.Rating{Contact: "当面沟通", Attitude: "满意", Result: "满意"})
		must(err)

		reports := core.NewReports(db, nil)
		p, err := reports.ParsePeriod("2026-11")
		must(err)
		r, err := reports.Period(ctx, p.From, p.To)
		must(err)
		if r.Materials != 2 || r.Studies != 3 || r.Students != 2 || r.BoundDeputies != 2 || !near(r.StudyRate, 3.0/4) {
			t.Errorf("study: %d materials, %d studies by %d of %d, rate %v", r.Materials, r.Studies, r.Students, r.BoundDeputies, r.StudyRate)
		}
		// The notice above plus the suggestion's progress and rating requests (one deputy each).
		if r.DeliveriesTotal != 5 || r.Due != 5 {
			t.Errorf("deliveries %v", r.Deliveries)
		}
		if r.Meetings != 1 || r.Invited != 3 || r.Answered != 2 || r.Attended != 1 || !near(r.RSVPRate, 2.0/3) || !near(r.AttendanceRate, 1.0/3) {
			t.Errorf("meetings: %+v", r)
		}
		if r.NewSuggestions != 1 || r.Replied != 1 || r.Concluded != 0 || r.Ratings != 1 || r.Satisfied != 1 || r.Face != 1 || !near(r.SatisfactionRate, 1) {
			t.Errorf("suggestions: %+v", r.ReportCounts)
		}
		if r.OpinionsTotal != 1 || r.Opinions[model.OpinionSocial] != 1 || r.Surveys != 1 || r.Responses != 1 {
			t.Errorf("opinions and surveys: %+v", r.ReportCounts)
		}
		p, err = reports.ParsePeriod("2026-10")
		must(err)
		if r, err = reports.Period(ctx, p.From, p.To); err != nil || r.Materials != 1 || r.Studies != 0 || r.NewSuggestions != 0 || r.DeliveriesTotal != 0 {
			t.Errorf("october: %+v %v", r.ReportCounts, err)
		}
		year, err := reports.ParsePeriod("2026")
		if err != nil || !year.Yearly || len(year.Months()) != 12 || year.Label != "2026年" {
			t.Fatalf("year %+v %v", year, err)
		}
		if r, err = reports.Period(ctx, year.From, year.To); err != nil || r.Materials != 3 || r.Studies != 4 {
			t.Errorf("the year: %+v %v", r.ReportCounts, err)
		}
		if _, err := reports.ParsePeriod("2026-13"); len(fieldsOf(err)) != 1 {
			t.Errorf("a bad month: %v", err)
		}
	})
}
