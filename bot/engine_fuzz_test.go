package bot

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/templates"
)

// FuzzEngine feeds random message sequences to a deputy with a pending
// invitation: the engine must never panic, and a stored conversation must
// always sit on a step its flow has.
func FuzzEngine(f *testing.F) {
	for _, seed := range []string{
		"参加", "2\n外出", "请假\n返回\n1", "帮助\n取消\n继续", "跳过\n\n１\n", "请假\n" + strings.Repeat("长", 300),
		"你好\n我的会议\n修改1\n2\n病假", "返回\n返回\n返回", "取消\n取消", "继续\n修改9\n修改0",
	} {
		f.Add(seed)
	}
	db := storagetest.Open(f, storage.SQLite)
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := NewRouter(core.New(db, core.Options{Loc: time.UTC}), db, templates.Default(), quiet, 0)
	d := model.Deputy{Name: "模糊测试", Level: model.LevelProvincial, Phone: "13999990000"}
	if err := db.CreateDeputy(ctx, &d); err != nil {
		f.Fatal(err)
	}
	const openid = "o-fuzz"
	if err := db.BindDeputy(ctx, d.ID, openid); err != nil {
		f.Fatal(err)
	}
	m := model.Meeting{Kind: "study", Title: "学习班", StartsAt: time.Now().Add(48 * time.Hour), RSVPDeadline: time.Now().Add(24 * time.Hour)}
	meetings := core.NewMeetings(db)
	if err := db.CreateMeeting(ctx, &m); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, script string) {
		_ = db.DeleteConversation(ctx, openid)
		if _, err := meetings.Invite(ctx, core.CLIActor(model.Account{}, "fuzz"), m.ID, model.Audience{DeputyIDs: []int64{d.ID}}); err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(script, "\n") {
			in := Inbound{FromUserName: openid, ToUserName: "gh", MsgType: "text", Content: line, MsgID: int64(i + 1), CreateTime: 1}
			if _, err := r.Handle(ctx, in); err != nil {
				t.Fatalf("message %d %q: %v", i, line, err)
			}
			c, err := db.GetConversation(ctx, openid)
			if err != nil {
				continue
			}
			flow, ok := r.Engine.Flows[c.Flow]
			if !ok {
				if c.Flow != flowBind {
					t.Fatalf("conversation in unknown flow %q", c.Flow)
				}
				continue
			}
			steps, err := flow.Steps(ctx, r.Engine.load(model.Deputy{ID: d.ID}, c))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := findStep(steps, c.Step); !ok {
				t.Fatalf("after %q the conversation is on step %q, which flow %s does not have", line, c.Step, c.Flow)
			}
		}
	})
}
