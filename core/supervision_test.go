package core_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

const (
	unitTransport = "省交通运输厅"
	unitEducation = "省教育厅"
	sessionThree  = "十四届人大三次会议"
	sessionTwo    = "十四届人大二次会议"
)

// supervisionFixture builds six suggestions, all assigned on 2026-03-20:
//
//	0001 交通 三次  A lead, B seconds; A类; A 当面/满意, B 电话/基本满意
//	0002 交通 三次  C; B类; C 书面/不满意 → 重新办理
//	0003 教育 三次  D; C类, 办结; D 当面/满意
//	0004 教育 三次  A; not answered
//	0005 教育 二次  B; A类, 办结; B 电话/满意
//	0006 交通 三次  C; not answered, its own deadline 2026-05-01
func supervisionFixture(t *testing.T, db *storage.DB) (*suggestionWorld, *core.Supervision, map[string]int64) {
	t.Helper()
	w := newSuggestionWorld(t, db, "甲", "乙", "丙", "丁")
	sv := core.NewSupervision(db, nil)
	sv.Now = func() time.Time { return w.now }
	ids := map[string]int64{}
	ids["1"] = w.create(t, "1", unitTransport, sessionThree, "甲", "乙").ID
	ids["2"] = w.create(t, "2", unitTransport, sessionThree, "丙").ID
	ids["3"] = w.create(t, "3", unitEducation, sessionThree, "丁").ID
	ids["4"] = w.create(t, "4", unitEducation, sessionThree, "甲").ID
	ids["5"] = w.create(t, "5", unitEducation, sessionTwo, "乙").ID
	deadline := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	six := model.Suggestion{Number: "6", Title: "关于公路养护的建议", Session: sessionThree, LeadDeputyID: w.deputy["丙"],
		HostUnit: unitTransport, Deadline: &deadline}
	if err := w.svc.Create(context.Background(), &six, nil); err != nil {
		t.Fatal(err)
	}
	ids["6"] = six.ID
	w.advance(24 * time.Hour)
	w.step(t, ids["1"], "replied", "A", "已解决")
	w.step(t, ids["2"], "replied", "B", "列入明年计划")
	w.step(t, ids["3"], "replied", "C", "条件所限")
	w.step(t, ids["3"], "concluded", "", "")
	w.step(t, ids["5"], "replied", "A", "已解决")
	w.step(t, ids["5"], "concluded", "", "")
	rate := func(id, who, contact, result string) {
		t.Helper()
		r := core.Rating{Contact: contact, Attitude: "满意", Result: result}
		if result == "不满意" {
			r.Reason = "没有解决"
		}
		if _, err := w.svc.Rate(context.Background(), ids[id], w.deputy[who], r); err != nil {
			t.Fatalf("rate %s by %s: %v", id, who, err)
		}
	}
	rate("1", "甲", "当面沟通", "满意")
	rate("1", "乙", "电话沟通", "基本满意")
	rate("2", "丙", "书面沟通", "不满意")
	rate("3", "丁", "当面沟通", "满意")
	rate("5", "乙", "电话沟通", "满意")
	return w, sv, ids
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestSupervisionRatesIncludingFaceToFaceMatchHandFigures(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, sv, _ := supervisionFixture(t, db)
		ctx := context.Background()
		all, units, err := sv.Rates(ctx, model.SuggestionRatesFilter{})
		if err != nil {
			t.Fatal(err)
		}
		type fig struct {
			total, replied, concluded, rated, satisfied, ratedSugg, face int
			reply, concl, sat, faceRate                                  float64
		}
		check := func(name string, r core.SupervisionRates, f fig) {
			t.Helper()
			got := fig{r.Total, r.Replied, r.Concluded, r.Rated, r.Satisfied, r.RatedSuggestions, r.Face,
				r.ReplyRate, r.ConclusionRate, r.SatisfactionRate, r.FaceRate}
			if got.total != f.total || got.replied != f.replied || got.concluded != f.concluded || got.rated != f.rated ||
				got.satisfied != f.satisfied || got.ratedSugg != f.ratedSugg || got.face != f.face ||
				!near(got.reply, f.reply) || !near(got.concl, f.concl) || !near(got.sat, f.sat) || !near(got.faceRate, f.faceRate) {
				t.Errorf("%s: got %+v, want %+v", name, got, f)
			}
		}
		// 6 suggestions; answered 1, 2, 3, 5; concluded 3, 5; 5 ratings of
		// which 4 are (basically) satisfied; rated 1, 2, 3, 5, met face to face on 1 and 3.
		check("overall", all, fig{6, 4, 2, 5, 4, 4, 2, 4.0 / 6, 2.0 / 6, 4.0 / 5, 2.0 / 4})
		if len(units) != 2 {
			t.Fatalf("units %d", len(units))
		}
		byName := map[string]core.SupervisionRates{}
		for _, u := range units {
			byName[u.HostUnit] = u
		}
		check("交通", byName[unitTransport], fig{3, 2, 0, 3, 2, 2, 1, 2.0 / 3, 0, 2.0 / 3, 1.0 / 2})
		check("教育", byName[unitEducation], fig{3, 2, 2, 2, 2, 2, 1, 2.0 / 3, 2.0 / 3, 1, 1.0 / 2})

		three, _, err := sv.Rates(ctx, model.SuggestionRatesFilter{Session: sessionThree})
		if err != nil {
			t.Fatal(err)
		}
		check("三次会议", three, fig{5, 3, 1, 4, 3, 3, 2, 3.0 / 5, 1.0 / 5, 3.0 / 4, 2.0 / 3})
		sessions, err := sv.RatesBySession(ctx, "")
		if err != nil || len(sessions) != 2 || sessions[0].Session != sessionTwo && sessions[1].Session != sessionTwo {
			t.Fatalf("by session %+v %v", sessions, err)
		}
		edu, err := sv.RatesBySession(ctx, unitEducation)
		if err != nil || len(edu) != 2 {
			t.Fatalf("education by session %+v %v", edu, err)
		}
	})
}

func numbersOf(l []core.Supervised) string {
	var out []string
	for _, v := range l {
		out = append(out, v.Number)
	}
	return fmt.Sprint(out)
}

func TestSupervisionOverdueAndLookbackListsFollowTheClock(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w, sv, ids := supervisionFixture(t, db)
		ctx := context.Background()
		w.now = time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
		o, err := sv.Overview(ctx, model.SupervisionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		// 0006's own deadline passed on 05-01; 0002 (re-handled) and 0004
		// fall due on 06-20, three months after assignment.
		if numbersOf(o.Past) != "[第0006号]" || numbersOf(o.Near) != "[第0002号 第0004号]" {
			t.Fatalf("past %s near %s", numbersOf(o.Past), numbersOf(o.Near))
		}
		if o.Near[1].Deadline.Format(time.DateOnly) != "2026-06-20" || o.Near[1].DaysLeft != 10 {
			t.Fatalf("0004 deadline %v, %d days left", o.Near[1].Deadline, o.Near[1].DaysLeft)
		}
		if fmt.Sprint(o.Units) != fmt.Sprint([]core.UnitOverdue{{HostUnit: unitTransport, Past: 1, Near: 1, Open: 2},
			{HostUnit: unitEducation, Past: 0, Near: 1, Open: 1}}) && fmt.Sprint(o.Units) != fmt.Sprint([]core.UnitOverdue{
			{HostUnit: unitEducation, Past: 0, Near: 1, Open: 1}, {HostUnit: unitTransport, Past: 1, Near: 1, Open: 2}}) {
			t.Fatalf("units %+v", o.Units)
		}
		// 回头看: 0002 was rated 不满意; 0003's C reply has no promise yet.
		if numbersOf(o.Lookback) != "[第0002号]" || numbersOf(o.NoPromise) != "[第0003号]" {
			t.Fatalf("lookback %s, no promise %s", numbersOf(o.Lookback), numbersOf(o.NoPromise))
		}
		if _, err := sv.SetPromiseAs(ctx, staffActor(model.RoleStaff), ids["3"], time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); fmt.Sprint(fieldsOf(err)) != "[承诺期限]" {
			t.Fatalf("a promise before the reply: %v", err)
		}
		if _, err := sv.SetPromiseAs(ctx, staffActor(model.RoleStaff), ids["1"], time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)); fmt.Sprint(fieldsOf(err)) != "[承诺期限]" {
			t.Fatalf("a promise on an A reply: %v", err)
		}
		if _, err := sv.SetPromiseAs(ctx, staffActor(model.RoleStaff), ids["3"], time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		if o, _ = sv.Overview(ctx, model.SupervisionFilter{}); numbersOf(o.Lookback) != "[第0002号]" || len(o.NoPromise) != 0 {
			t.Fatalf("before the promise date: lookback %s, no promise %s", numbersOf(o.Lookback), numbersOf(o.NoPromise))
		}
		w.now = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
		if o, _ = sv.Overview(ctx, model.SupervisionFilter{}); numbersOf(o.Lookback) != "[第0002号 第0003号]" {
			t.Fatalf("after the promise date: lookback %s", numbersOf(o.Lookback))
		}
		if numbersOf(o.Past) != "[第0002号 第0004号 第0006号]" && numbersOf(o.Past) != "[第0006号 第0002号 第0004号]" {
			t.Fatalf("past on 07-01: %s", numbersOf(o.Past))
		}
		unit, err := sv.Overview(ctx, model.SupervisionFilter{HostUnit: unitEducation})
		if err != nil || numbersOf(unit.Past) != "[第0004号]" || numbersOf(unit.Lookback) != "[第0003号]" {
			t.Fatalf("education only: %s %s %v", numbersOf(unit.Past), numbersOf(unit.Lookback), err)
		}
		digest, err := sv.Digest(ctx, core.SystemActor(core.SupervisionDigestJob))
		if err != nil || digest["逾期"] != 3 || digest["逾期:"+unitTransport] != 2 || digest["逾期:"+unitEducation] != 1 || digest["回头看"] != 2 {
			t.Fatalf("digest %v %v", digest, err)
		}
	})
}

func TestSupervisionExtensionsStayWithinSixMonthsOfAssignment(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w, sv, ids := supervisionFixture(t, db)
		ctx := context.Background()
		w.now = time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
		ask := func(id string, y int, m time.Month, d int, unit string) (model.Extension, error) {
			by := staffActor(model.RoleStaff)
			if unit != "" {
				by = core.StaffActor(model.Account{ID: 8, Username: "unit", Name: "交通厅李四", Role: model.RoleUnit, Unit: unit}, core.ViaConsole)
			}
			return sv.RequestExtensionAs(ctx, by, ids[id], time.Date(y, m, d, 0, 0, 0, 0, time.UTC), "需跨部门协调")
		}
		if _, err := ask("4", 2026, 9, 21, ""); fmt.Sprint(fieldsOf(err)) != "[延期至]" {
			t.Fatalf("past six months: %v", err)
		}
		if _, err := ask("4", 2026, 6, 20, ""); fmt.Sprint(fieldsOf(err)) != "[延期至]" {
			t.Fatalf("not after the deadline: %v", err)
		}
		if _, err := ask("4", 2026, 8, 1, unitTransport); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("another unit's suggestion: %v", err)
		}
		if _, err := ask("1", 2026, 8, 1, ""); fmt.Sprint(fieldsOf(err)) != "[建议]" {
			t.Fatalf("an answered suggestion: %v", err)
		}
		e, err := ask("4", 2026, 9, 20, unitEducation)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ask("4", 2026, 8, 1, ""); fmt.Sprint(fieldsOf(err)) != "[延期申请]" {
			t.Fatalf("a second pending request: %v", err)
		}
		if got, err := sv.DecideExtensionAs(ctx, staffActor(model.RoleStaff), e.ID, "approve", "同意"); err != nil || got.Status != model.ExtensionApproved {
			t.Fatalf("approve: %+v %v", got, err)
		}
		if _, err := sv.DecideExtensionAs(ctx, staffActor(model.RoleStaff), e.ID, "reject", ""); fmt.Sprint(fieldsOf(err)) != "[延期申请]" {
			t.Fatalf("deciding twice: %v", err)
		}
		v, err := sv.Get(ctx, ids["4"])
		if err != nil || v.Deadline.Format(time.DateOnly) != "2026-09-20" {
			t.Fatalf("0004 after approval: %v %v", v.Deadline, err)
		}
		// The deadline now stands at the limit: nothing later may be asked.
		if _, err := ask("4", 2026, 9, 21, ""); fmt.Sprint(fieldsOf(err)) != "[延期至]" {
			t.Fatalf("beyond the limit after an approval: %v", err)
		}
		r, err := ask("6", 2026, 7, 1, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sv.DecideExtensionAs(ctx, staffActor(model.RoleStaff), r.ID, "reject", "理由不充分"); err != nil {
			t.Fatal(err)
		}
		if v, _ := sv.Get(ctx, ids["6"]); v.Deadline.Format(time.DateOnly) != "2026-05-01" {
			t.Fatalf("a rejected request moved the deadline to %v", v.Deadline)
		}
		o, err := sv.Overview(ctx, model.SupervisionFilter{})
		if err != nil || numbersOf(o.Near) != "[第0002号]" || len(o.Pending) != 0 {
			t.Fatalf("near %s pending %d %v", numbersOf(o.Near), len(o.Pending), err)
		}
	})
}
