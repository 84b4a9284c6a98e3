package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// boundDeputy creates a deputy bound to openid who follows the account.
func boundDeputy(t testing.TB, r *rig, name, phone, openid string) model.Deputy {
	t.Helper()
	d := addDeputy(t, r.db, name, phone)
	if err := r.db.BindDeputy(context.Background(), d.ID, openid); err != nil {
		t.Fatal(err)
	}
	if _, err := r.sim.User(openid).Follow(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.OpenID = openid
	return d
}

func invite(t testing.TB, db *storage.DB, title string, starts, deadline time.Time, deputies ...int64) model.Meeting {
	t.Helper()
	m := model.Meeting{Kind: "session", Title: title, StartsAt: starts, RSVPDeadline: deadline, Place: "省人大常委会机关", Contact: "代表工委 0531-12345678"}
	if err := db.CreateMeeting(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	if _, err := core.NewMeetings(db).Invite(context.Background(), core.CLIActor(model.Account{}, "test"), m.ID, model.Audience{DeputyIDs: deputies}); err != nil {
		t.Fatal(err)
	}
	return m
}

// expect checks each reply contains its wanted fragment.
func expect(t *testing.T, got []string, want ...string) {
	t.Helper()
	for i, w := range want {
		if i >= len(got) || !strings.Contains(got[i], w) {
			t.Fatalf("reply %d does not contain %q; conversation:\n%s", i+1, w, strings.Join(got, "\n----\n"))
		}
	}
}

func TestRSVPConversations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		now := time.Now()
		week := now.Add(7 * 24 * time.Hour)

		tests := []struct {
			name  string
			lines []string
			want  []string
			check func(t *testing.T, d model.Deputy, m model.Meeting)
		}{
			{"a plain 参加 answers the pending invitation", []string{"参加"}, []string{"已登记：您将参加"},
				func(t *testing.T, d model.Deputy, m model.Meeting) {
					inv, _ := db.GetInvitation(ctx, m.ID, d.ID)
					if inv.Status != model.RSVPAttend || inv.Channel != "wechat" || !inv.AnsweredAt.Valid {
						t.Fatalf("invitation %+v", inv)
					}
					if asks, _ := db.OpenAsks(ctx, d.ID); len(asks) != 0 {
						t.Fatalf("the ask is still open: %+v", asks)
					}
				}},
			{"a full-width number works", []string{"１"}, []string{"已登记：您将参加"}, nil},
			{"请假 asks for a reason and records it", []string{"2", "外出考察"}, []string{"请假事由", "已登记您的请假"},
				func(t *testing.T, d model.Deputy, m model.Meeting) {
					inv, _ := db.GetInvitation(ctx, m.ID, d.ID)
					if inv.Status != model.RSVPLeave || inv.Reason != "外出考察" {
						t.Fatalf("invitation %+v", inv)
					}
				}},
			{"an unclear answer shows the invitation and asks again",
				[]string{"你好", "也许", "不确定", "再看看", "取消"},
				[]string{"请于", "没有看懂", "没有看懂", "回复“取消”", "已取消"}, nil},
			{"返回 goes back to the previous step", []string{"请假", "返回", "参加"}, []string{"请假事由", "请于", "已登记：您将参加"}, nil},
			{"帮助 at the free-text reason is the command: it parks the answer, 继续 resumes it", []string{"请假", "帮助", "继续", "身体原因"},
				[]string{"请假事由", "已暂存，回复“继续”接着填写", "接着完成", "已登记您的请假"}, nil},
			{"返回 at the first step says so", []string{"我要", "返回"}, []string{"请于", "已经是第一步"}, nil},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				openid := "o-rsvp-" + string(rune('a'+i))
				d := boundDeputy(t, r, "代表"+openid, "1370000000"+string(rune('0'+i)), openid)
				m := invite(t, db, "省十四届人大常委会第十次会议", week, now.Add(72*time.Hour), d.ID)
				got := chat(t, r.sim.User(openid), tt.lines...)
				expect(t, got, tt.want...)
				if tt.check != nil {
					tt.check(t, d, m)
				}
			})
		}

		t.Run("an answer after the deadline is refused and names whom to contact", func(t *testing.T) {
			d := boundDeputy(t, r, "迟到代表", "13711110000", "o-late")
			m := invite(t, db, "集中视察", week, now.Add(-time.Hour), d.ID)
			expect(t, chat(t, r.sim.User("o-late"), "参加"), "已于")
			expect(t, chat(t, r.sim.User("o-late"), "我的会议"), "回执已截止")
			if inv, _ := db.GetInvitation(ctx, m.ID, d.ID); inv.Status != model.RSVPPending {
				t.Fatalf("a closed invitation changed: %+v", inv)
			}
		})

		// core's RSVP closes the ask with the answer; a refused one is closed
		// by the engine, and a later reply is no answer to it.
		t.Run("a reason sent after the deadline passed is refused and the ask closed", func(t *testing.T) {
			d := boundDeputy(t, r, "晚到代表", "13749990000", "o-closed-late")
			m := invite(t, db, "执法检查", week, week, d.ID)
			expect(t, chat(t, r.sim.User("o-closed-late"), "请假"), "请假事由")
			if _, err := db.SQL().Exec("UPDATE meetings SET rsvp_deadline = ? WHERE id = ?", now.Add(-time.Hour).UTC(), m.ID); err != nil {
				t.Fatal(err)
			}
			expect(t, chat(t, r.sim.User("o-closed-late"), "外出学习"), "回执已于")
			if inv, _ := db.GetInvitation(ctx, m.ID, d.ID); inv.Status != model.RSVPPending {
				t.Fatalf("a closed invitation changed: %+v", inv)
			}
			if asks, _ := db.OpenAsks(ctx, d.ID); len(asks) != 0 {
				t.Fatalf("the refused ask is still open: %+v", asks)
			}
		})

		t.Run("two pending asks are answered latest first", func(t *testing.T) {
			d := boundDeputy(t, r, "忙碌代表", "13722220000", "o-busy")
			first := invite(t, db, "专题调研", week, week, d.ID)
			second := invite(t, db, "学习班", week.Add(time.Hour), week, d.ID)
			got := chat(t, r.sim.User("o-busy"), "你好", "参加", "请假", "家中有事")
			expect(t, got, "您有 2 项待回复", "已登记：您将参加“学习班", "请假事由", "已登记您的请假：“专题调研")
			a, _ := db.GetInvitation(ctx, first.ID, d.ID)
			b, _ := db.GetInvitation(ctx, second.ID, d.ID)
			if a.Status != model.RSVPLeave || b.Status != model.RSVPAttend {
				t.Fatalf("answers %s, %s", a.Status, b.Status)
			}
		})

		t.Run("a menu click parks the flow and 继续 resumes it", func(t *testing.T) {
			d := boundDeputy(t, r, "暂停代表", "13733330000", "o-park")
			invite(t, db, "履职交流会", week, week, d.ID)
			u := r.sim.User("o-park")
			expect(t, chat(t, u, "请假"), "请假事由")
			click := replyText(t)(u.Click(ctx, bot.KeyMeetings))
			if !strings.Contains(click, "履职交流会") || !strings.Contains(click, "继续") {
				t.Fatalf("the click answered %q", click)
			}
			expect(t, chat(t, u, "继续", "身体原因"), "请假事由", "已登记您的请假")
			expect(t, chat(t, u, "继续"), "没有需要继续")
		})

		t.Run("我的会议 lists answers and 修改 changes one before the deadline", func(t *testing.T) {
			d := boundDeputy(t, r, "修改代表", "13744440000", "o-change")
			m := invite(t, db, "代表联络站接待", week, week, d.ID)
			u := r.sim.User("o-change")
			expect(t, chat(t, u, "参加", "我的会议", "修改1", "请假", "临时出差"),
				"已登记：您将参加", "代表联络站接待", "您目前的回执：参加", "请假事由", "已登记您的请假")
			if inv, _ := db.GetInvitation(ctx, m.ID, d.ID); inv.Status != model.RSVPLeave {
				t.Fatalf("after changing: %+v", inv)
			}
		})

		t.Run("a flow survives a restart of the server", func(t *testing.T) {
			d := boundDeputy(t, r, "重启代表", "13755550000", "o-restart")
			m := invite(t, db, "常委会会议", week, week, d.ID)
			expect(t, chat(t, r.sim.User("o-restart"), "请假"), "请假事由")
			// A new server process on the same database takes the next message.
			fresh := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
			fu := fresh.sim.User("o-restart")
			if _, err := fu.Follow(ctx); err != nil {
				t.Fatal(err)
			}
			expect(t, chat(t, fu, "会议冲突"), "已登记您的请假")
			if inv, _ := db.GetInvitation(ctx, m.ID, d.ID); inv.Reason != "会议冲突" {
				t.Fatalf("after restart: %+v", inv)
			}
		})

		t.Run("two messages at once are applied one after the other", func(t *testing.T) {
			d := boundDeputy(t, r, "并发代表", "13766660000", "o-race")
			m := invite(t, db, "视察", week, week, d.ID)
			u := r.sim.User("o-race")
			expect(t, chat(t, u, "看看"), "请于")
			var wg sync.WaitGroup
			for _, line := range []string{"请假", "出差在外"} {
				wg.Add(1)
				go func(line string) {
					defer wg.Done()
					if _, err := u.SendText(ctx, line); err != nil {
						t.Error(err)
					}
				}(line)
			}
			wg.Wait()
			inv, _ := db.GetInvitation(ctx, m.ID, d.ID)
			conv, cerr := db.GetConversation(ctx, "o-race")
			switch {
			case inv.Status == model.RSVPLeave && inv.Reason == "出差在外" && cerr != nil:
				// 请假 first, then the reason: finished.
			case inv.Status == model.RSVPPending && cerr == nil && conv.Step == "reason" && conv.Misses == 0:
				// The reason first (a miss), then 请假: now at the reason step.
			default:
				t.Fatalf("an inconsistent result: invitation %+v, conversation %+v %v", inv, conv, cerr)
			}
		})
	})
}

func TestAnIdleFlowEndsAndTheNextMessageIsHandledFresh(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
	now := time.Now()
	r.router.Core.SetClock(func() time.Time { return now })
	d := boundDeputy(t, r, "闲置代表", "13777770000", "o-idle-flow")
	invite(t, db, "调研", now.Add(72*time.Hour), now.Add(48*time.Hour), d.ID)
	u := r.sim.User("o-idle-flow")
	expect(t, chat(t, u, "请假"), "请假事由")
	now = now.Add(31 * time.Minute)
	expect(t, chat(t, u, "帮助"), "长时间未回复")
}
