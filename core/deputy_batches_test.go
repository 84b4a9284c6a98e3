package core_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// The chat's read commands, read for a batch of messages at once by their
// senders' openids, give each sender the lists the single reads give the
// deputy bound to them, and nothing to anyone else: an openid bound to no
// deputy, a deputy whose term ended, a deputy in a conversation.
func TestChatListsAreEachSendersOwn(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)
		svc := core.New(db, core.Options{Now: func() time.Time { return now }})
		db.SetClock(func() time.Time { return now })
		var deps []model.Deputy
		for i := range 5 {
			d := model.Deputy{Name: fmt.Sprintf("代表%d", i), Level: model.LevelProvincial, Phone: fmt.Sprintf("1390000710%d", i)}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			d.OpenID = fmt.Sprintf("o-chat-%d", i)
			if err := db.BindDeputy(ctx, d.ID, d.OpenID); err != nil {
				t.Fatal(err)
			}
			deps = append(deps, d)
		}
		ids := []int64{deps[0].ID, deps[1].ID}
		for i := range 3 {
			m := model.Material{Title: fmt.Sprintf("材料%d", i), Body: "正文", PublishedAt: now.Add(-time.Duration(i+1) * time.Hour)}
			if err := db.CreateMaterial(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				if _, err := db.MarkStudied(ctx, m.ID, deps[0].ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		c := model.Course{Title: "预算审查", Required: 1, Deadline: now.AddDate(0, 0, 9), Status: model.CoursePublished}
		if err := db.CreateCourse(ctx, &c); err != nil {
			t.Fatal(err)
		}
		if _, err := db.EnrolInCourse(ctx, c.ID, ids[:1]); err != nil {
			t.Fatal(err)
		}
		for i, at := range []time.Duration{48, -2} {
			m := model.Meeting{Kind: "session", Title: fmt.Sprintf("会议%d", i), StartsAt: now.Add(at * time.Hour),
				RSVPDeadline: now.Add((at - 12) * time.Hour)}
			if err := db.CreateMeeting(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Invite(ctx, m.ID, ids); err != nil {
				t.Fatal(err)
			}
		}
		sg := model.Suggestion{Number: "第0801号", Title: "关于农村饮水的建议", Session: "十四届人大三次会议",
			LeadDeputyID: deps[1].ID, HostUnit: "省水利厅", Summary: "建议。"}
		if err := svc.Suggestions.Create(ctx, &sg, []int64{deps[0].ID}); err != nil {
			t.Fatal(err)
		}
		if err := db.TerminateDeputy(ctx, deps[3].ID, now, "调离"); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveConversation(ctx, &model.Conversation{OpenID: deps[4].OpenID, Flow: "rsvp", Step: "answer",
			Data: "{}", UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}

		var reqs []core.ListRequest
		for _, o := range []string{deps[0].OpenID, deps[1].OpenID, "o-nobody", deps[3].OpenID, deps[4].OpenID, deps[2].OpenID} {
			for _, k := range []core.ListKind{core.ListStudy, core.ListSuggestions, core.ListMeetings} {
				reqs = append(reqs, core.ListRequest{OpenID: o, Kind: k, At: now})
			}
		}
		got, err := svc.Chat.Lists(ctx, reqs, 5)
		if err != nil || len(got) != len(reqs) {
			t.Fatalf("%d lists for %d messages: %v", len(got), len(reqs), err)
		}
		for i, q := range reqs {
			g := got[i]
			var d model.Deputy
			for _, dep := range deps[:3] {
				if dep.OpenID == q.OpenID {
					d = dep
				}
			}
			if g.DeputyID != d.ID {
				t.Errorf("%s: deputy %d, want %d", q.OpenID, g.DeputyID, d.ID)
				continue
			}
			if d.ID == 0 {
				if g.Materials != nil || g.Courses != nil || g.Meetings != nil || g.Suggestions.List != nil {
					t.Errorf("%s: lists for no deputy: %+v", q.OpenID, g)
				}
				continue
			}
			by := core.DeputyActor(d, core.ViaWeChat)
			var want, have string
			switch q.Kind {
			case core.ListStudy:
				ms, err := svc.Materials.ForDeputy(ctx, by, "", 5)
				if err != nil {
					t.Fatal(err)
				}
				cs, err := svc.Courses.OpenForDeputy(ctx, by)
				if err != nil {
					t.Fatal(err)
				}
				want, have = fmt.Sprint(ms, cs), fmt.Sprint(g.Materials, g.Courses)
			case core.ListSuggestions:
				list, drafts, err := svc.Suggestions.MineWithDrafts(ctx, by)
				if err != nil {
					t.Fatal(err)
				}
				want, have = fmt.Sprint(list, drafts), fmt.Sprint(g.Suggestions.List, g.Suggestions.Drafts)
			case core.ListMeetings:
				invs, err := svc.Meetings.Upcoming(ctx, by, now)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(g.Meetings, invs) {
					t.Errorf("%s: meetings %+v, want %+v", q.OpenID, g.Meetings, invs)
				}
			}
			if have != want {
				t.Errorf("%s, list %d:\n%s\nwant\n%s", q.OpenID, q.Kind, have, want)
			}
		}
		if _, err := svc.Chat.Lists(ctx, []core.ListRequest{{OpenID: deps[0].OpenID, At: now}}, 5); err == nil {
			t.Error("a request of no list kind was read")
		}
		// The fixture gives each kind something to compare.
		if len(got[0].Materials) != 3 || !got[0].Materials[1].Studied() || len(got[0].Courses) != 1 ||
			len(got[1].Suggestions.List) != 1 || len(got[2].Meetings) != 1 || len(got[4].Suggestions.List) != 1 {
			t.Errorf("the fixture did not give what it should: %+v", got[:6])
		}
	})
}
