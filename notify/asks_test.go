package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// A push that asks for an answer says how to give it: the rating request
// is a tappable link with the replies the chat understands, the RSVP
// reminder names the meeting and its start, and the reply to an opinion
// carries the start of the reply into the template message.
func TestPushesThatAskSayHowToAnswer(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		tpls := map[string]notify.Template{}
		for kind := range model.KindLabels {
			tpls[kind] = notify.Template{ID: "TPL_" + kind, Fields: map[string]string{"thing1": "title", "time2": "time", "thing3": "note"}}
		}
		r := newRig(t, db, notify.Config{Templates: tpls}, 5*time.Second)
		ctx := context.Background()
		openids := r.population(t, 2, 0, 0, 0)
		all, _, err := db.ListDeputies(ctx, model.DeputyFilter{})
		if err != nil {
			t.Fatal(err)
		}
		chatty, quiet := all[0], all[1]
		// The first deputy just wrote to the account: conversational
		// pushes reach them as customer messages.
		if _, err := r.sim.User(openids[0]).SendText(ctx, "你好"); err != nil {
			t.Fatal(err)
		}
		svc := core.New(db, core.Options{Now: r.clock.Now, Loc: shanghai})
		staff := core.CLIActor(model.Account{}, "test")

		sg := model.Suggestion{Number: "第0400号", Title: "关于乡村公路养护的建议", LeadDeputyID: chatty.ID, HostUnit: "省交通运输厅"}
		sugs := core.NewSuggestions(db)
		sugs.Now = r.clock.Now
		if err := sugs.Create(ctx, &sg, nil); err != nil {
			t.Fatal(err)
		}
		if err := sugs.RecordStep(ctx, &model.SuggestionStep{SuggestionID: sg.ID, Kind: model.StepReplied, Actor: "省交通运输厅",
			ReplyCategory: "B", Note: "已安排专项资金"}); err != nil {
			t.Fatal(err)
		}

		starts := time.Date(2026, 12, 3, 1, 30, 0, 0, time.UTC) // 9:30 in Shanghai
		m := model.Meeting{Kind: "study", Title: "代表履职学习班", StartsAt: starts, RSVPDeadline: starts.Add(-24 * time.Hour), Place: "省人大会议中心"}
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Meetings.Invite(ctx, staff, m.ID, model.Audience{DeputyIDs: []int64{chatty.ID}}); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.Meetings.Remind(ctx, staff, m.ID); err != nil || n != 1 {
			t.Fatalf("remind = %d, %v", n, err)
		}

		ops := core.NewOpinions(db)
		receipt, err := ops.Submit(ctx, quiet.ID, model.Opinion{Category: model.OpinionSocial, Body: "建议增加公交班次"})
		if err != nil {
			t.Fatal(err)
		}
		o, _ := ops.ByReceipt(ctx, receipt)
		if _, err := ops.ReplyAs(ctx, staff, o.ID, "已转交市交通局研究，拟于明年春季增开两条线路"); err != nil {
			t.Fatal(err)
		}
		r.drain(t)

		var custom []string
		for _, msg := range r.sim.Messages(openids[0]) {
			if msg.Kind == wechatsim.KindCustom {
				custom = append(custom, msg.Text)
			}
		}
		find := func(prefix string) string {
			for _, c := range custom {
				if strings.Contains(c, prefix) {
					return c
				}
			}
			t.Fatalf("no customer message with %q among %q", prefix, custom)
			return ""
		}
		rating := find("满意度测评")
		if !strings.Contains(rating, `<a href="https://deputy.example/`) || !strings.Contains(rating, `">点此测评</a>`) ||
			!strings.Contains(rating, "也可直接回复：满意 / 基本满意 / 不满意") || strings.Contains(rating, "\nhttps://") {
			t.Errorf("the rating request reads %q", rating)
		}
		reminder := find("请回复会议活动回执")
		if !strings.Contains(reminder, "代表履职学习班") || !strings.Contains(reminder, "12月3日 09:30") ||
			!strings.Contains(reminder, "也可直接回复：参加 / 请假") {
			t.Errorf("the RSVP reminder reads %q", reminder)
		}

		var reply map[string]string
		for _, msg := range r.sim.Messages(openids[1]) {
			if msg.Kind == wechatsim.KindTemplate && strings.Contains(msg.Fields["thing1"], "意见建议已答复") {
				reply = msg.Fields
			}
		}
		if !strings.HasPrefix(reply["thing3"], "已转交市交通局研究") {
			t.Errorf("the opinion reply's template fields %q do not carry the reply", reply)
		}
	})
}
