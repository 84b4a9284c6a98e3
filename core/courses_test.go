package core_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
)

// pushesTo counts the deliveries written for the deputy from sources
// starting with prefix.
func pushesTo(t *testing.T, db *storage.DB, deputyID int64, prefix string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries WHERE deputy_id = ? AND source LIKE ?`, deputyID, prefix+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCourseProgressAndReminders(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		db.SetClock(clock.Now)
		svc := core.New(db, core.Options{Now: clock.Now})
		staff := core.CLIActor(model.Account{}, "tester")
		var deps []model.Deputy
		for i, del := range []string{"济南市代表团", "济南市代表团", "青岛市代表团"} {
			d := model.Deputy{Name: fmt.Sprintf("代表%d", i+1), Delegation: del, Level: model.LevelProvincial, OpenID: fmt.Sprintf("o-%d", i)}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			deps = append(deps, d)
		}
		var mats []int64
		for _, title := range []string{"代表法", "预算法"} {
			m, err := svc.Materials.Create(ctx, staff, core.MaterialInput{Title: title, Body: "正文"})
			if err != nil {
				t.Fatal(err)
			}
			mats = append(mats, m.ID)
		}
		study := model.Meeting{Kind: model.MeetingStudy, Title: "集中学习", StartsAt: clock.Now().Add(48 * time.Hour),
			RSVPDeadline: clock.Now().Add(24 * time.Hour)}
		inspection := model.Meeting{Kind: model.MeetingInspection, Title: "视察", StartsAt: study.StartsAt, RSVPDeadline: study.RSVPDeadline}
		for _, m := range []*model.Meeting{&study, &inspection} {
			if err := db.CreateMeeting(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		deadline := clock.Now().Add(10 * 24 * time.Hour).In(svc.Location()).Format("2006-01-02")

		t.Run("bad input names every field", func(t *testing.T) {
			_, err := svc.Courses.Create(ctx, staff, core.CourseInput{Title: "", Required: 9, Deadline: "明年",
				MaterialIDs: []int64{mats[0], 999}, Sessions: []core.CourseSessionInput{{MeetingID: inspection.ID}}})
			if got := keysOf(err); got != "title,deadline,material_ids,sessions,required,audience" {
				t.Fatalf("keys %s: %v", got, err)
			}
		})

		c, err := svc.Courses.Create(ctx, staff, core.CourseInput{Title: "代表履职学习班", Required: 3, Deadline: deadline,
			MaterialIDs: mats, Sessions: []core.CourseSessionInput{{MeetingID: study.ID, Hours: 1}},
			Audience: model.Audience{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the list searches titles and summaries", func(t *testing.T) {
			for q, want := range map[string]int{"履职": 1, "学习班": 1, "预算": 0, "100%": 0} {
				if rows, total, err := svc.Courses.List(ctx, staff, "", q, 10, 0); err != nil || total != want || len(rows) != want {
					t.Errorf("q %q: %d rows, total %d, %v", q, len(rows), total, err)
				}
			}
		})
		t.Run("its materials must be published first", func(t *testing.T) {
			if _, err := svc.Courses.Publish(ctx, staff, c.ID); keysOf(err) != "material_ids" {
				t.Fatalf("%v", err)
			}
		})
		for _, id := range mats {
			if _, err := svc.Materials.Publish(ctx, staff, id, core.PublishInput{}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := svc.Courses.Publish(ctx, staff, c.ID); err != nil || n != 3 {
			t.Fatalf("enrolled %d, %v", n, err)
		}
		if n := pushesTo(t, db, deps[0].ID, "course-"); n != 1 {
			t.Fatalf("announcement pushes %d", n)
		}

		// Deputy 1 studies both and attends the session: finished. Deputy
		// 2 studies one. Deputy 3 nothing.
		for _, id := range mats {
			if _, _, err := svc.Materials.Study(ctx, core.DeputyActor(deps[0], core.ViaH5), id); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := svc.Materials.Study(ctx, core.DeputyActor(deps[1], core.ViaWeChat), mats[1]); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Meetings.Invite(ctx, staff, study.ID, model.Audience{DeputyIDs: []int64{deps[0].ID, deps[1].ID}}); err != nil {
			t.Fatal(err)
		}
		before := clock.Now()
		clock.Set(study.StartsAt.Add(time.Hour)) // attendance is taken once the session has started
		if _, err := svc.Meetings.RecordAttendance(ctx, staff, study.ID, core.Attendance{Present: []int64{deps[0].ID}, Absent: []int64{deps[1].ID}}); err != nil {
			t.Fatal(err)
		}
		clock.Set(before)

		rep, err := svc.Courses.Progress(ctx, staff, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range rep.Deputies {
			got = append(got, fmt.Sprintf("%s:%d+%d:%v", d.Name, d.Studied, d.Attended, d.Finished))
		}
		if fmt.Sprint(got) != "[代表1:2+1:true 代表2:1+0:false 代表3:0+0:false]" || rep.Finished != 1 || rep.Enrolled != 3 {
			t.Fatalf("progress %v, %d of %d", got, rep.Finished, rep.Enrolled)
		}
		if len(rep.ByDelegation) != 2 || rep.ByDelegation[0].Delegation != "青岛市代表团" || rep.ByDelegation[1].Finished != 1 {
			t.Fatalf("by delegation %+v", rep.ByDelegation)
		}
		mine, err := svc.Courses.OpenForDeputy(ctx, core.DeputyActor(deps[1], core.ViaWeChat))
		if err != nil || len(mine) != 1 || mine[0].Done != 1 || mine[0].Finished() {
			t.Fatalf("deputy 2's courses %+v %v", mine, err)
		}
		t.Run("the reminder job reminds only the unfinished, once", func(t *testing.T) {
			job := core.SystemActor("course-reminders")
			if n, err := svc.Courses.RemindDue(ctx, job, 3); err != nil || n != 0 {
				t.Fatalf("ten days ahead: %d %v", n, err)
			}
			clock.Advance(8 * 24 * time.Hour)
			if n, err := svc.Courses.RemindDue(ctx, job, 3); err != nil || n != 2 {
				t.Fatalf("three days ahead: %d %v", n, err)
			}
			if n, err := svc.Courses.RemindDue(ctx, job, 3); err != nil || n != 0 {
				t.Fatalf("again: %d %v", n, err)
			}
			if pushesTo(t, db, deps[0].ID, "course-due-") != 0 || pushesTo(t, db, deps[1].ID, "course-due-") != 1 ||
				pushesTo(t, db, deps[2].ID, "course-due-") != 1 {
				t.Fatal("the reminders went to the wrong deputies")
			}
			if _, err := svc.Courses.RemindDue(ctx, staff, 3); err != nil {
				t.Fatalf("an administrator at the command line may run the job: %v", err)
			}
			if _, err := svc.Courses.RemindDue(ctx, core.StaffActor(model.Account{ID: 5, Role: model.RoleStaff}, core.ViaAPI), 3); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("staff ran the job: %v", err)
			}
		})
		t.Run("the one-click reminder goes to those not finished", func(t *testing.T) {
			if n, err := svc.Courses.Remind(ctx, staff, c.ID); err != nil || n != 2 {
				t.Fatalf("%d %v", n, err)
			}
		})
		t.Run("the progress exports to Excel, unfinished first", func(t *testing.T) {
			f, err := svc.Courses.ExportProgress(ctx, staff, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			x, err := excelize.OpenReader(bytesReader(f.Data))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := x.GetRows("学习进度")
			if len(rows) != 4 || rows[1][6] != "未完成" || rows[3][0] != "代表1" || rows[3][6] != "已完成" {
				t.Fatalf("rows %v", rows)
			}
		})
		t.Run("the demo seed adds nothing once there are materials", func(t *testing.T) {
			if n, err := svc.Materials.SeedDemo(ctx, staff, svc.Files, svc.Courses); err != nil || n != 0 {
				t.Fatalf("%d %v", n, err)
			}
		})
	})
}

func TestDemoSeed(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := context.Background()
	svc := core.New(db, core.Options{})
	if _, err := db.UpsertDeputies(ctx, core.DemoDeputies()); err != nil {
		t.Fatal(err)
	}
	by := core.CLIActor(model.Account{}, "demo")
	n, err := svc.Materials.SeedDemo(ctx, by, svc.Files, svc.Courses)
	if err != nil || n != 5 {
		t.Fatalf("%d %v", n, err)
	}
	rows, total, _ := svc.Materials.List(ctx, by, model.MaterialFilter{Status: model.MaterialPublished})
	withPDF := 0
	for _, r := range rows {
		m, _ := svc.Materials.Get(ctx, by, r.ID)
		if len(m.Attachments) == 1 && m.Attachments[0].IsPDF() {
			withPDF++
		}
		if m.Body == "" {
			t.Errorf("%s has no body", m.Title)
		}
	}
	courses, _, _ := svc.Courses.List(ctx, by, model.CoursePublished, "", 0, 0)
	if total != 5 || withPDF != 1 || len(courses) != 1 || courses[0].Enrolled == 0 {
		t.Fatalf("%d published, %d with a PDF, courses %+v", total, withPDF, courses)
	}
	// A newcomer's 学习 lists them and the course, and 已学1 works.
	deps, _, err := db.ListDeputies(ctx, model.DeputyFilter{Limit: 1})
	if err != nil || len(deps) != 1 {
		t.Fatalf("%v %v", deps, err)
	}
	dep := core.DeputyActor(deps[0], core.ViaWeChat)
	if list, err := svc.Materials.ForDeputy(ctx, dep, "", 5); err != nil || len(list) != 5 {
		t.Fatalf("学习 lists %d (%v)", len(list), err)
	}
	if open, err := svc.Courses.OpenForDeputy(ctx, dep); err != nil || len(open) != 1 {
		t.Fatalf("open courses %+v (%v)", open, err)
	}
	if _, first, err := svc.Materials.StudyNth(ctx, dep, "", 1, 5); err != nil || !first {
		t.Fatalf("已学1: %v %v", first, err)
	}
}

// TestTheReminderJobUsesTheDaysSet: the course-reminders job reminds N
// days before the deadline, N the setting (3 unless set, 1–30).
func TestTheReminderJobUsesTheDaysSet(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		db.SetClock(clock.Now)
		svc := core.New(db, core.Options{Now: clock.Now})
		staff := core.CLIActor(model.Account{}, "tester")
		job := core.SystemActor("course-reminders")
		d := model.Deputy{Name: "代表", Delegation: "济南市代表团", Level: model.LevelProvincial, OpenID: "o-1"}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		m, err := svc.Materials.Create(ctx, staff, core.MaterialInput{Title: "代表法", Body: "正文"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Materials.Publish(ctx, staff, m.ID, core.PublishInput{}); err != nil {
			t.Fatal(err)
		}
		deadline := clock.Now().Add(10 * 24 * time.Hour)
		c, err := svc.Courses.Create(ctx, staff, core.CourseInput{Title: "学习班", Required: 1,
			Deadline: deadline.In(svc.Location()).Format("2006-01-02 15:04"), MaterialIDs: []int64{m.ID}, Audience: model.Audience{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Courses.Publish(ctx, staff, c.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := svc.Courses.ReminderDays(ctx); n != 3 {
			t.Fatalf("default %d days", n)
		}
		for _, bad := range []int{0, 31} {
			if err := svc.Courses.SetReminderDays(ctx, staff, bad); keysOf(err) != "reminder_days" {
				t.Fatalf("%d days: %v", bad, err)
			}
		}
		if err := svc.Courses.SetReminderDays(ctx, staff, 5); err != nil {
			t.Fatal(err)
		}
		clock.Set(deadline.Add(-6 * 24 * time.Hour))
		if n, err := svc.Courses.RunReminders(ctx, job); err != nil || n != 0 {
			t.Fatalf("six days before: %d %v", n, err)
		}
		clock.Set(deadline.Add(-5*24*time.Hour + time.Hour))
		if n, err := svc.Courses.RunReminders(ctx, job); err != nil || n != 1 {
			t.Fatalf("five days before: %d %v", n, err)
		}
		if n, err := svc.Courses.RunReminders(ctx, job); err != nil || n != 0 || pushesTo(t, db, d.ID, "course-due-") != 1 {
			t.Fatalf("again: %d %v", n, err)
		}
		t.Run("a push of a material in an open course names its deadline", func(t *testing.T) {
			p, err := svc.Materials.Publish(ctx, staff, m.ID, core.PublishInput{Audience: &model.Audience{All: true}})
			if err != nil {
				t.Fatal(err)
			}
			camp, err := db.GetCampaign(ctx, p.CampaignID)
			if err != nil {
				t.Fatal(err)
			}
			n, err := db.GetNotice(ctx, camp.NoticeID)
			if want := deadline.In(svc.Location()).Format("2006-01-02"); err != nil || n.Kind != model.KindMaterial ||
				n.Fields["title"] != "代表法" || n.Fields["deadline"] != want {
				t.Fatalf("notice %+v (%v), want the deadline %s", n, err, want)
			}
		})
	})
}
