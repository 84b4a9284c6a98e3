package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// chat sends each line as the user and returns the bot's passive replies.
func chat(t *testing.T, u *wechatsim.User, lines ...string) []string {
	t.Helper()
	var out []string
	for _, l := range lines {
		out = append(out, replyText(t)(u.SendText(context.Background(), l)))
	}
	return out
}

func TestBinding(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		wang := addDeputy(t, db, "王芳", "13800131234")
		addDeputy(t, db, "李强", "13900135678")

		t.Run("right name and phone digits bind and greet by name", func(t *testing.T) {
			u := r.sim.User("o-wang")
			replyText(t)(u.Follow(ctx))
			got := chat(t, u, "绑定", " 王芳 ", "１２３４")
			if !strings.Contains(got[0], "姓名") || !strings.Contains(got[1], "后4位") || !strings.Contains(got[2], "绑定成功") || !strings.Contains(got[2], "王芳") {
				t.Fatalf("conversation: %q", got)
			}
			d, err := db.GetDeputy(ctx, wang.ID)
			if err != nil || d.OpenID != "o-wang" || d.BoundAt == nil {
				t.Fatalf("deputy after binding: %+v %v", d, err)
			}
			es, _, err := db.ListAudit(ctx, model.AuditFilter{Action: "deputy.bind"})
			if err != nil || len(es) != 1 || es[0].StaffName != "代表 王芳" || es[0].Via != "wechat" {
				t.Fatalf("the binding's audit entry: %+v %v", es, err)
			}
			if again := chat(t, u, "绑定"); !strings.Contains(again[0], "已绑定为王芳代表") {
				t.Fatalf("a bound openid asking again: %q", again)
			}
		})

		t.Run("a bound openid cannot take another deputy", func(t *testing.T) {
			u := r.sim.User("o-wang")
			got := chat(t, u, "绑定")
			if !strings.Contains(got[0], "已绑定") {
				t.Fatalf("got %q", got)
			}
			if _, err := db.GetConversation(ctx, "o-wang"); err == nil {
				t.Fatal("a bound openid should not enter the binding flow")
			}
		})

		t.Run("a deputy bound elsewhere cannot be taken", func(t *testing.T) {
			u := r.sim.User("o-impostor")
			replyText(t)(u.Follow(ctx))
			got := chat(t, u, "绑定", "王芳", "1234")
			if !strings.Contains(got[2], "已绑定其他微信号") {
				t.Fatalf("got %q", got)
			}
		})

		t.Run("a staff binding code works instead of phone digits", func(t *testing.T) {
			if err := db.SetBindCode(ctx, mustFind(t, db, "李强").ID, "246810", time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			u := r.sim.User("o-li")
			replyText(t)(u.Follow(ctx))
			got := chat(t, u, "绑定", "李强", "246810")
			if !strings.Contains(got[2], "绑定成功") {
				t.Fatalf("got %q", got)
			}
		})

		t.Run("an invalid answer re-prompts and 取消 ends the flow", func(t *testing.T) {
			u := r.sim.User("o-unsure")
			replyText(t)(u.Follow(ctx))
			got := chat(t, u, "绑定", "张三", "abc", "12", "1", "取消", "你好")
			if !strings.Contains(got[2], "4位数字") || !strings.Contains(got[4], "取消") || !strings.Contains(got[5], "已取消") || !strings.Contains(got[6], "回复“绑定”") {
				t.Fatalf("got %q", got)
			}
		})

		t.Run("five wrong answers lock binding for an hour", func(t *testing.T) {
			u := r.sim.User("o-guesser")
			replyText(t)(u.Follow(ctx))
			chat(t, u, "绑定")
			var last string
			for i := 0; i < 5; i++ {
				got := chat(t, u, "王芳", "000"+string(rune('0'+i)))
				last = got[1]
				if i < 4 && !strings.Contains(last, "还可尝试") {
					t.Fatalf("attempt %d: %q", i+1, last)
				}
			}
			if !strings.Contains(last, "暂停绑定") {
				t.Fatalf("after five failures: %q", last)
			}
			if got := chat(t, u, "绑定"); !strings.Contains(got[0], "暂停绑定") {
				t.Fatalf("a locked openid starting again: %q", got)
			}
		})

		t.Run("unbound users are told how to bind", func(t *testing.T) {
			u := r.sim.User("o-stranger")
			replyText(t)(u.Follow(ctx))
			if got := chat(t, u, "我的建议"); !strings.Contains(got[0], "回复“绑定”") {
				t.Fatalf("got %q", got)
			}
		})
	})
}

func TestAnIdleBindingTimesOut(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
	now := time.Now()
	r.router.Core.SetClock(func() time.Time { return now })
	u := r.sim.User("o-idle")
	replyText(t)(u.Follow(context.Background()))
	chat(t, u, "绑定")
	now = now.Add(31 * time.Minute)
	got := chat(t, u, "王芳")
	// The name arrives after the binding ended: it is kept as a message,
	// and the reply says so.
	if !strings.Contains(got[0], "长时间未回复") || !strings.Contains(got[0], "已收到您的留言") {
		t.Fatalf("after 31 idle minutes: %q", got)
	}
}

func mustFind(t *testing.T, db *storage.DB, name string) model.Deputy {
	t.Helper()
	ds, err := db.FindDeputiesByName(context.Background(), name)
	if err != nil || len(ds) != 1 {
		t.Fatalf("find %s: %v %v", name, ds, err)
	}
	return ds[0]
}
