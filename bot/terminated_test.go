package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// TestATerminatedDeputysChatGetsAClearMessageAndNoFlow replays the probe:
// a deputy whose term had ended could still open 意见. Now whatever they
// send (a command, a flow's next answer, help, a menu click) is answered
// with the same message, which says their term has ended and whom to ask;
// a flow under way is dropped and nothing is stored.
func TestATerminatedDeputysChatGetsAClearMessageAndNoFlow(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		d := boundDeputy(t, r, "离任代表", "13844440001", "o-ended")
		u := r.sim.User("o-ended")
		if got := chat(t, u, "意见"); !strings.Contains(got[0], "类别") {
			t.Fatalf("before the termination 意见 starts the flow: %q", got)
		}
		if _, err := core.NewRegistry(db).TerminateAs(ctx, liaisonEditor, d.ID, time.Now().Format(time.DateOnly), true, "调离本省"); err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{"社情民意", "意见", "我的建议", "继续", "帮助", "绑定", "你好"} {
			got := chat(t, u, line)
			if !strings.Contains(got[0], "代表资格已终止") || !strings.Contains(got[0], "代表工作机构") {
				t.Fatalf("%q answered %q", line, got[0])
			}
			if _, err := db.GetConversation(ctx, "o-ended"); err == nil {
				t.Fatalf("after %q a conversation is open", line)
			}
		}
		got := replyText(t)(u.Click(ctx, bot.KeyMySuggestions))
		if !strings.Contains(got, "代表资格已终止") {
			t.Fatalf("a menu click answered %q", got)
		}
		if ops, err := db.OpinionsOfDeputy(ctx, d.ID, 10); err != nil || len(ops) != 0 {
			t.Fatalf("opinions stored: %+v %v", ops, err)
		}
		var msgs int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM messages`).Scan(&msgs); err != nil || msgs != 0 {
			t.Fatalf("%d messages stored for a terminated deputy (%v)", msgs, err)
		}
		// The deputy stays bound (the record says so); only the chat refuses.
		if got, err := db.GetDeputy(ctx, d.ID); err != nil || got.OpenID != "o-ended" || got.Status != model.StatusEnded {
			t.Fatalf("deputy %+v %v", got, err)
		}
	})
}
