package bot_test

import (
	"context"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// Truthful answers: the 不满意 prompt promises re-handling only where a
// 不满意 sends the suggestion back (the result), and wrong phone digits
// are asked for again, keeping the name.
func TestTheBotPromisesOnlyWhatHappens(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()

		t.Run("不满意 with the attitude only promises no re-handling, and none happens", func(t *testing.T) {
			d := boundDeputy(t, r, "态度代表", "13755510001", "o-attitude")
			sg := repliedSuggestion(t, db, "第0501号", d.ID)
			got := chat(t, r.sim.User("o-attitude"), "1", "不满意", "满意", "答复敷衍", "是")
			if !strings.Contains(got[2], "原因") || (strings.Contains(got[2], "重新办理") && !strings.Contains(got[2], "不退回重新办理")) {
				t.Fatalf("the reason prompt after an attitude-only 不满意: %q", got[2])
			}
			if strings.Contains(got[4], "转交重新办理") {
				t.Fatalf("the closing reply claims a re-handling: %q", got[4])
			}
			if s, _ := db.GetSuggestion(ctx, sg.ID); s.Status == model.SuggestionRehandling {
				t.Fatal("an attitude-only 不满意 sent the suggestion back")
			}
		})

		t.Run("不满意 with the result promises re-handling, and it happens", func(t *testing.T) {
			d := boundDeputy(t, r, "结果代表", "13755510002", "o-result")
			sg := repliedSuggestion(t, db, "第0502号", d.ID)
			got := chat(t, r.sim.User("o-result"), "1", "满意", "不满意", "问题没解决", "是")
			expect(t, got[2:], "退回承办单位重新办理", "确认", "重新办理")
			if s, _ := db.GetSuggestion(ctx, sg.ID); s.Status != model.SuggestionRehandling {
				t.Fatalf("status %s after a 不满意 result", s.Status)
			}
		})

		t.Run("after wrong phone digits the bot asks for the digits again", func(t *testing.T) {
			addDeputy(t, db, "孙丽", "13755511234")
			u := r.sim.User("o-wrong-digits")
			replyText(t)(u.Follow(ctx))
			got := chat(t, u, "绑定", "孙丽", "4321", "1234")
			expect(t, got, "姓名", "后4位", "手机号码后4位", "绑定成功")
			if strings.Contains(got[2], "重新回复您的姓名") {
				t.Fatalf("the mismatch asks for the name: %q", got[2])
			}
			// A name typed at that point corrects the name.
			addDeputy(t, db, "周敏", "13755515678")
			u2 := r.sim.User("o-wrong-name")
			replyText(t)(u2.Follow(ctx))
			expect(t, chat(t, u2, "绑定", "周明", "5678", "我不记得了", "周敏", "5678"), "姓名", "后4位", "未能绑定", "4位数字", "后4位", "绑定成功")
		})
	})
}
