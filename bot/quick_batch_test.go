package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// The read commands of concurrent messages share their list reads on the
// quick path: each deputy still gets the answer the full path gives them.
func TestConcurrentReadCommandsAnswerEachDeputyAsTheFullPath(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		const deputies = 6
		ds := make([]model.Deputy, deputies)
		for i := range ds {
			ds[i] = addDeputy(t, db, fmt.Sprintf("代表%02d", i), fmt.Sprintf("139000055%02d", i))
			if err := db.BindDeputy(ctx, ds[i].ID, fmt.Sprintf("o-reads-%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		seedReadLists(t, db, ds)

		msg := func(i int, text string) bot.Inbound {
			return bot.Inbound{FromUserName: fmt.Sprintf("o-reads-%d", i), MsgType: "text", Content: text, CreateTime: time.Now().Unix()}
		}
		for _, word := range []string{"学习", "我的建议", "我的会议"} {
			quick := make([]string, 2*deputies)
			errs := make([]error, 2*deputies)
			var wg sync.WaitGroup
			for k := range quick {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var how bot.Path
					quick[k], how, errs[k] = r.router.Quick(ctx, msg(k%deputies, word))
					if errs[k] == nil && how != bot.Answered {
						errs[k] = fmt.Errorf("took %v", how)
					}
				}()
			}
			wg.Wait()
			seen := map[string]bool{}
			for k := range quick {
				if errs[k] != nil {
					t.Fatalf("%s from deputy %d: %v", word, k%deputies, errs[k])
				}
				full, err := r.router.Handle(ctx, msg(k%deputies, word))
				if err != nil || quick[k] != full {
					t.Fatalf("%s from deputy %d: quick\n%s\nfull\n%s\n(%v)", word, k%deputies, quick[k], full, err)
				}
				seen[full] = true
			}
			if len(seen) < 3 {
				t.Fatalf("%s: only %d different answers for %d deputies: the fixture does not tell them apart", word, len(seen), deputies)
			}
		}
	})
}

// seedReadLists gives the deputies different lists: the last has nothing
// of their own.
func seedReadLists(t *testing.T, db *storage.DB, ds []model.Deputy) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	var ms []int64
	for i := range 7 {
		m := model.Material{Title: fmt.Sprintf("学习材料%d", i), Summary: "摘要", Body: "正文",
			PublishedAt: now.Add(-time.Duration(10-i) * time.Hour)}
		if err := db.CreateMaterial(ctx, &m); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m.ID)
	}
	for i, d := range ds[:len(ds)-1] {
		for j := 0; j <= i && j < len(ms); j++ {
			if _, err := db.MarkStudied(ctx, ms[len(ms)-1-j*2%len(ms)], d.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, c := range []model.Course{
		{Title: "预算审查", Required: 2, Deadline: now.AddDate(0, 0, 9), Status: model.CoursePublished,
			Materials: []model.CourseMaterial{{MaterialID: ms[6]}, {MaterialID: ms[4]}}},
		{Title: "代表履职", Required: 1, Deadline: now.AddDate(0, 0, 3), Status: model.CoursePublished,
			Materials: []model.CourseMaterial{{MaterialID: ms[2]}}},
	} {
		if err := db.CreateCourse(ctx, &c); err != nil {
			t.Fatal(err)
		}
		enrol := []int64{ds[0].ID, ds[1].ID, ds[2].ID}
		if i == 1 {
			enrol = []int64{ds[1].ID, ds[3].ID}
		}
		if _, err := db.EnrolInCourse(ctx, c.ID, enrol); err != nil {
			t.Fatal(err)
		}
	}
	for i, at := range []time.Duration{48, -2, 24, 48, 72} {
		m := model.Meeting{Kind: "session", Title: fmt.Sprintf("会议%d", i), Place: "省人大常委会", StartsAt: now.Add(at * time.Hour),
			RSVPDeadline: now.Add((at - 12) * time.Hour)}
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		invite := []int64{ds[0].ID, ds[1].ID}
		if i%2 == 1 {
			invite = []int64{ds[1].ID, ds[2].ID, ds[3].ID}
		}
		if _, err := db.Invite(ctx, m.ID, invite); err != nil {
			t.Fatal(err)
		}
	}
	repliedSuggestion(t, db, "第0901号", ds[0].ID, ds[1].ID)
	repliedSuggestion(t, db, "第0902号", ds[1].ID)
	deadline := now.AddDate(0, 2, 0)
	for i, sg := range []model.Suggestion{
		{Number: "第0903号", Title: "关于改善乡村道路的建议", LeadDeputyID: ds[2].ID, HostUnit: "省交通运输厅", Deadline: &deadline},
		{Number: "第0904号", Title: "关于职业教育的建议", LeadDeputyID: ds[0].ID, HostUnit: "省教育厅"},
	} {
		seconders := []int64{ds[3].ID}
		if i == 1 {
			seconders = nil
		}
		if err := db.CreateSuggestion(ctx, &sg, seconders); err != nil {
			t.Fatal(err)
		}
	}
	for _, by := range []int64{ds[0].ID, ds[0].ID, ds[4].ID} {
		if err := db.CreateSuggestionDraft(ctx, &model.Suggestion{Title: "草稿", LeadDeputyID: by}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
}
