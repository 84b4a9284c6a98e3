package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// TestGuessingADeputysDigitsFromManyFollowersLocksTheDeputy is the chat
// side of the binding limits: wrong digits for one name from several
// followers lock the deputy after BindDeputyMaxFailures, whoever guessed;
// then even the right digits are answered that only a staff code binds,
// the code does, and the right digits of a deputy bound elsewhere get
// word for word the answer wrong digits get.
func TestGuessingADeputysDigitsFromManyFollowersLocksTheDeputy(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		wang := addDeputy(t, db, "王芳", "13800131234")
		boundDeputy(t, r, "李强", "13900135678", "o-li")
		guess := 0
		for f := range 3 {
			u := r.sim.User(fmt.Sprintf("o-guess-%d", f))
			replyText(t)(u.Follow(ctx))
			chat(t, u, "绑定")
			for range 4 {
				guess++
				chat(t, u, "王芳", fmt.Sprintf("%04d", 5000+guess))
			}
		}
		if es, _, err := db.ListAudit(ctx, model.AuditFilter{Action: "deputy.bind_locked"}); err != nil || len(es) != 1 {
			t.Fatalf("the lock's audit entry: %+v %v", es, err)
		}
		u := r.sim.User("o-wang")
		replyText(t)(u.Follow(ctx))
		got := chat(t, u, "绑定", "王芳", "1234")
		if !strings.Contains(got[2], "已暂停用手机号后4位绑定") || !strings.Contains(got[2], "6位绑定码") {
			t.Fatalf("the right digits of a locked deputy: %q", got[2])
		}
		if d, _ := db.GetDeputy(ctx, wang.ID); d.OpenID != "" {
			t.Fatalf("bound to %q", d.OpenID)
		}
		_, code, _, err := r.router.Core.Binding.IssueCode(ctx, core.CLIActor(model.Account{}, "test"), wang.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if got := chat(t, u, "绑定", "王芳", code); !strings.Contains(got[2], "绑定成功") {
			t.Fatalf("the staff code: %q", got[2])
		}

		x, y := r.sim.User("o-x"), r.sim.User("o-y")
		replyText(t)(x.Follow(ctx))
		replyText(t)(y.Follow(ctx))
		right := chat(t, x, "绑定", "李强", "5678")[2]
		wrong := chat(t, y, "绑定", "李强", "5670")[2]
		if right != wrong || !strings.Contains(right, "已绑定其他微信号") {
			t.Fatalf("the right digits of a bound deputy answer %q, wrong ones %q", right, wrong)
		}
	})
}
