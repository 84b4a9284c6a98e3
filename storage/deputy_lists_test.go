package storage_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestStudyListsOfManyDeputies: the batched reads behind 学习 give each
// deputy what the single reads give, a deputy with nothing included.
func TestStudyListsOfManyDeputies(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		deps := addTestDeputies(t, db, 4)
		now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		var ms []int64
		for i := range 7 {
			m := model.Material{Title: "材料" + string(rune('A'+i)), Body: "正文", PublishedAt: now.Add(-time.Duration(7-i) * time.Hour)}
			if i == 3 {
				m.PublishedAt = ms0(now) // same time as another: the id breaks the tie
			}
			if err := db.CreateMaterial(ctx, &m); err != nil {
				t.Fatal(err)
			}
			ms = append(ms, m.ID)
		}
		for _, mark := range [][2]int64{{ms[6], deps[0]}, {ms[4], deps[0]}, {ms[5], deps[1]}, {ms[0], deps[1]}} {
			if _, err := db.MarkStudied(ctx, mark[0], mark[1]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.AddMaterialReading(ctx, ms[5], deps[0], 30, 7200); err != nil {
			t.Fatal(err)
		}
		for i, c := range []model.Course{
			{Title: "预算审查", Required: 2, Deadline: now.AddDate(0, 0, 9), Status: model.CoursePublished,
				Materials: []model.CourseMaterial{{MaterialID: ms[6]}, {MaterialID: ms[5]}}},
			{Title: "代表履职", Required: 1, Deadline: now.AddDate(0, 0, 3), Status: model.CoursePublished,
				Materials: []model.CourseMaterial{{MaterialID: ms[4]}}},
			{Title: "已截止", Required: 1, Deadline: now.AddDate(0, 0, -1), Status: model.CoursePublished},
		} {
			if err := db.CreateCourse(ctx, &c); err != nil {
				t.Fatal(err)
			}
			enrol := deps[:2]
			if i == 1 {
				enrol = deps[:1]
			}
			if _, err := db.EnrolInCourse(ctx, c.ID, enrol); err != nil {
				t.Fatal(err)
			}
		}

		o := bindTestDeputies(t, db, deps...)
		batch := []string{o[2], o[0], o[1], o[0], o[3], "o-nobody"}
		mats, err := db.LatestMaterialsOf(ctx, batch, 5)
		if err != nil {
			t.Fatal(err)
		}
		courses, err := db.CoursesOf(ctx, batch, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range deps {
			one, err := db.DeputyMaterials(ctx, id, "", 5)
			if err != nil {
				t.Fatal(err)
			}
			if !sameList(mats[id], one) {
				t.Errorf("deputy %d: batched materials\n%+v\nwant\n%+v", id, mats[id], one)
			}
			cs, err := db.DeputyCourses(ctx, id, now, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !sameList(courses[id], cs) {
				t.Errorf("deputy %d: batched courses\n%+v\nwant\n%+v", id, courses[id], cs)
			}
		}
		if len(mats[deps[0]]) != 5 || !mats[deps[0]][0].Studied() || mats[deps[0]][1].ReadSeconds != 30 || len(courses[deps[0]]) != 2 ||
			courses[deps[0]][0].Title != "代表履职" || courses[deps[0]][0].Done != 1 || len(courses[deps[3]]) != 0 {
			t.Errorf("the fixture did not give what it should: %+v %+v", mats[deps[0]], courses[deps[0]])
		}
	})
}

func ms0(now time.Time) time.Time { return now.Add(-3 * time.Hour) }

// TestUpcomingInvitationsOfManyDeputies: the batched read behind 我的会议
// gives each deputy what the single read gives, a deputy with nothing
// included.
func TestUpcomingInvitationsOfManyDeputies(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		deps := addTestDeputies(t, db, 4)
		now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
		for i, at := range []time.Duration{48, -2, 24, 48, 72} {
			m := model.Meeting{Kind: "session", Title: "会议" + string(rune('A'+i)), StartsAt: now.Add(at * time.Hour),
				RSVPDeadline: now.Add((at - 12) * time.Hour)}
			if err := db.CreateMeeting(ctx, &m); err != nil {
				t.Fatal(err)
			}
			invite := deps[:2]
			if i%2 == 1 {
				invite = deps[1:3]
			}
			if _, err := db.Invite(ctx, m.ID, invite); err != nil {
				t.Fatal(err)
			}
		}
		o := bindTestDeputies(t, db, deps...)
		batch, err := db.UpcomingInvitationsOf(ctx, []string{o[3], o[1], o[0], o[2], o[1], "o-nobody"}, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range deps {
			one, err := db.UpcomingInvitations(ctx, id, now)
			if err != nil {
				t.Fatal(err)
			}
			if !sameList(batch[id], one) {
				t.Errorf("deputy %d: batched\n%+v\nwant\n%+v", id, batch[id], one)
			}
		}
		if len(batch[deps[0]]) != 3 || len(batch[deps[1]]) != 4 || len(batch[deps[3]]) != 0 ||
			batch[deps[1]][1].Meeting.Title != "会议A" || batch[deps[1]][2].Meeting.Title != "会议D" {
			t.Errorf("the fixture did not give what it should: %+v", batch)
		}
	})
}

// bindTestDeputies binds each deputy to an openid of its own and returns
// them, in order.
func bindTestDeputies(t *testing.T, db *storage.DB, ids ...int64) []string {
	t.Helper()
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprintf("o-list-%d", id)
		if err := db.BindDeputy(context.Background(), id, out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sameList reports whether a batched list (missing when empty) holds what
// the single read gave.
func sameList[T any](batched, one []T) bool {
	if len(batched) == 0 && len(one) == 0 {
		return true
	}
	return reflect.DeepEqual(batched, one)
}
