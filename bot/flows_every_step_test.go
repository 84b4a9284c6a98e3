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

// TestGlobalWordsWorkInEveryStep walks each flow's happy path and, at every
// step, checks that 帮助 explains the step (or, in a free-text step, is the
// command: it lists the commands and parks the flow, and 继续 resumes it),
// 返回 goes back one step, and
// 取消 ends (or, for a survey, pauses) the flow.
func TestGlobalWordsWorkInEveryStep(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
		ctx := context.Background()
		n := 0
		fresh := func(t *testing.T) (model.Deputy, *wechatsim.User) {
			n++
			openid := fmt.Sprintf("o-every-%d", n)
			d := boundDeputy(t, r, fmt.Sprintf("逐步代表%d", n), fmt.Sprintf("1398800%04d", n), openid)
			return d, r.sim.User(openid)
		}
		flows := []struct {
			name   string
			setup  func(t *testing.T, d model.Deputy) // leaves a pending ask, or nothing
			start  string                             // the first message
			path   []string                           // answers that walk every step
			cancel string                             // what 取消 says
		}{
			{"rsvp", func(t *testing.T, d model.Deputy) {
				invite(t, db, "逐步会议", time.Now().Add(72*time.Hour), time.Now().Add(48*time.Hour), d.ID)
			}, "你好", []string{"请假", "事由"}, "已取消"},
			{"rate", func(t *testing.T, d model.Deputy) {
				repliedSuggestion(t, db, fmt.Sprintf("第%04d号", 7000+n), d.ID)
			}, "你好", []string{"1", "满意", "不满意", "原因", "是"}, "已取消"},
			{"opinion", func(*testing.T, model.Deputy) {}, "意见", []string{"1", "内容", "完成", "是"}, "已取消"},
			{"survey", func(t *testing.T, d model.Deputy) {
				newSurvey(t, db, fmt.Sprintf("逐步问卷%d", n), false)
			}, "问卷", []string{"1", "1", "3", "跳过", "是"}, "已暂停"},
			{"liaison contact", func(t *testing.T, d model.Deputy) {
				liaisonMember(t, db, d.Name, fmt.Sprintf("逐步联系代表%d-", n), d.ID)
			}, "联系登记", []string{"1", "电话", "今天", "备注"}, "已取消"},
			{"leader activity", func(t *testing.T, d model.Deputy) {
				if _, err := core.NewLiaison(db).CreateLeaderAs(ctx, liaisonEditor, d.ID, "", ""); err != nil {
					t.Fatal(err)
				}
			}, "选区活动登记", []string{"1", "今天", "备注"}, "已取消"},
		}
		for _, f := range flows {
			for step := 0; step < len(f.path); step++ {
				t.Run(fmt.Sprintf("%s step %d", f.name, step+1), func(t *testing.T) {
					d, u := fresh(t)
					f.setup(t, d)
					lines := append([]string{f.start}, f.path[:step]...)
					got := chat(t, u, lines...)
					prompt := got[len(got)-1]
					helpOrPark(t, u, step)
					back := chat(t, u, "返回")[0]
					if step == 0 && !strings.Contains(back, "已经是第一步") {
						t.Fatalf("返回 at the first step answered %q", back)
					}
					if step > 0 && back == prompt {
						t.Fatalf("返回 at step %d repeated the same question", step+1)
					}
					if c := chat(t, u, "取消")[0]; !strings.Contains(c, f.cancel) {
						t.Fatalf("取消 at step %d answered %q", step+1, c)
					}
					if _, err := db.GetConversation(ctx, u.OpenID()); err == nil {
						t.Fatal("a conversation is still active after 取消")
					}
				})
			}
		}
	})
}

// helpOrPark sends 帮助 in a flow's step: a step that takes a choice, a
// date or a checked text explains itself; in a free-text step 帮助 is the
// command, listing the commands and parking the flow, and 继续 resumes it.
func helpOrPark(t *testing.T, u *wechatsim.User, step int) {
	t.Helper()
	help := chat(t, u, "帮助")[0]
	switch {
	case strings.Contains(help, "您正在进行"):
	case strings.Contains(help, "您可以回复") && strings.Contains(help, "已暂存，回复“继续”接着填写"):
		if resumed := chat(t, u, "继续")[0]; !strings.Contains(resumed, "接着完成") {
			t.Fatalf("继续 after 帮助 at step %d answered %q", step+1, resumed)
		}
	default:
		t.Fatalf("帮助 at step %d answered %q", step+1, help)
	}
}
