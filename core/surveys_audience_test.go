package core

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// A survey asks its audience only: the others neither see nor answer it;
// its turnout counts against the audience, in all and by delegation, and
// names who has and has not answered; its reminders go out on the chosen
// days to those who have not answered; its export has a row per response.
func TestASurveyAsksItsAudienceAndCountsItsTurnout(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		db.SetClock(clock)
		svc := New(db, Options{Now: clock})
		staff := StaffActor(model.Account{ID: 1, Username: "u", Name: "工作人员", Role: model.RoleStaff}, ViaConsole)
		var ds []model.Deputy
		for i, del := range []string{"济南市代表团", "济南市代表团", "青岛市代表团", "烟台市代表团"} {
			d := model.Deputy{Name: []string{"甲", "乙", "丙", "丁"}[i], Delegation: del, Level: model.LevelProvincial,
				Phone: "1380000000" + string(rune('1'+i)), OpenID: "o-sv-" + string(rune('a'+i))}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			ds = append(ds, d)
		}
		sv := model.Survey{Title: "履职需求调查", ClosesAt: now.Add(10 * 24 * time.Hour),
			Audience:  model.Audience{Delegations: []string{"济南市代表团", "青岛市代表团"}},
			RemindOn:  []string{"2026-03-05", "2026-03-04"},
			Questions: []model.SurveyQuestion{{Kind: model.QuestionSingle, Text: "最关心的领域", Options: []string{"教育", "医疗"}}}}
		bad := sv
		bad.RemindOn = []string{"2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"}
		if err := svc.Surveys.CreateAs(ctx, staff, &bad); !hasKey(err, "remind_on") {
			t.Fatalf("four reminders: %v", err)
		}
		bad.RemindOn = []string{"2026-04-01"}
		if err := svc.Surveys.CreateAs(ctx, staff, &bad); !hasKey(err, "remind_on") {
			t.Fatalf("a reminder after the close: %v", err)
		}
		if err := svc.Surveys.CreateAs(ctx, staff, &sv); err != nil {
			t.Fatal(err)
		}
		got, _ := db.GetSurvey(ctx, sv.ID)
		if strings.Join(got.RemindOn, ",") != "2026-03-04,2026-03-05" || len(got.Audience.Delegations) != 2 {
			t.Fatalf("stored %+v", got)
		}

		outsider := DeputyActor(ds[3], ViaWeChat)
		if _, err := svc.Surveys.CanAnswer(ctx, outsider, sv.ID); err == nil {
			t.Fatal("a deputy outside the audience may answer")
		}
		if _, ok, _ := svc.Surveys.NextFor(ctx, outsider); ok {
			t.Fatal("a deputy outside the audience is offered the survey")
		}
		if _, ok, _ := svc.Surveys.NextFor(ctx, DeputyActor(ds[2], ViaWeChat)); !ok {
			t.Fatal("a deputy of the audience is not offered the survey")
		}
		if _, err := svc.Surveys.Submit(ctx, sv.ID, ds[0].ID, map[int64]string{got.Questions[0].ID: "2"}); err != nil {
			t.Fatal(err)
		}

		tu, err := svc.Surveys.TurnoutAs(ctx, staff, sv.ID)
		if err != nil || tu.Invited != 3 || tu.Answered != 1 || tu.Rate() != "33.3%" {
			t.Fatalf("turnout %+v %v", tu, err)
		}
		if len(tu.ByDelegation) != 2 || tu.ByDelegation[0] != (DelegationTurnout{"济南市代表团", 2, 1}) || tu.ByDelegation[1] != (DelegationTurnout{"青岛市代表团", 1, 0}) {
			t.Fatalf("by delegation %+v", tu.ByDelegation)
		}
		if len(tu.Answerers) != 1 || tu.Answerers[0].Name != "甲" || len(tu.Waiting) != 2 {
			t.Fatalf("answered %+v, waiting %+v", tu.Answerers, tu.Waiting)
		}

		job := SystemActor("closing-reminders")
		reminded := func() int {
			var n int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries WHERE source LIKE 'svd-%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, c := range []struct {
			at   time.Time
			want int
		}{
			{time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC), 0}, // not a chosen day
			{time.Date(2026, 3, 4, 1, 0, 0, 0, time.UTC), 2}, // 乙 and 丙: not 甲 (answered), not 丁 (not asked)
			{time.Date(2026, 3, 4, 5, 0, 0, 0, time.UTC), 2}, // the same day again: nothing more
			{time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC), 4},
		} {
			now = c.at
			if _, err := svc.Reminders.Closing(ctx, job, now); err != nil {
				t.Fatal(err)
			}
			if n := reminded(); n != c.want {
				t.Fatalf("at %v: %d reminders, want %d", c.at, n, c.want)
			}
		}

		f, err := svc.Surveys.ExportResultsAs(ctx, staff, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(f.Data))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows("答卷明细")
		if err != nil || len(rows) != 2 || rows[1][1] != "甲" || rows[1][4] != "医疗" {
			t.Fatalf("response rows %q %v", rows, err)
		}
	})
}

func hasKey(err error, key string) bool {
	fe, ok := Fields(err)
	if !ok {
		return false
	}
	for _, e := range fe {
		if e.Key == key {
			return true
		}
	}
	return false
}
