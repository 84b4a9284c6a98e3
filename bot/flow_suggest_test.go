package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
	"deputybot/wechatsim"
)

// TestASuggestionIsPausedKeptAsADraftAndResumed: 取消 sets a suggestion
// aside and 继续 takes it up; giving up at the confirmation keeps it as a
// draft that 提建议 offers again and submits; one returned by staff comes
// back with the reason; a terminated deputy's draft stays but is not sent.
func TestASuggestionIsPausedKeptAsADraftAndResumed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
		ctx := context.Background()
		wang := boundDeputy(t, r, "王芳", "13711112222", "o-sd-wang")
		boundDeputy(t, r, "李强", "13711113333", "o-sd-li")
		u := r.sim.User("o-sd-wang")

		photo := func(t *testing.T, data []byte) string {
			t.Helper()
			return replyText(t)(u.SendImage(ctx, r.sim.AddMedia(data, "image/png")))
		}
		if got := photo(t, testkit.PNG()); !strings.Contains(got, "已收到您的图片留言") {
			t.Fatalf("a photo outside a suggestion is a message: %q", got)
		}
		expect(t, chat(t, u, "提建议"), "请回复建议的标题")
		if got := photo(t, testkit.PNG()); !strings.Contains(got, "请先回复建议的标题") {
			t.Fatalf("a photo before the title: %q", got)
		}
		expect(t, chat(t, u, "关于建设乡镇养老服务中心的建议"), "请输入建议的内容")
		if got := photo(t, testkit.PNG()); !strings.Contains(got, "已收到照片") || !strings.Contains(got, "共 1 个附件") {
			t.Fatalf("a photo while writing: %q", got)
		}
		if got := photo(t, []byte("not an image")); !strings.Contains(got, "照片未保存") {
			t.Fatalf("a file that is no image: %q", got)
		}
		expect(t, chat(t, u, "取消", "我的会议", "继续"), "已暂停", "", "请输入建议的内容")
		expect(t, chat(t, u, "农村老人多，养老服务不足。", "完成", "2", "跳过", "否", "放弃"),
			"", "请选择建议的类别", "附议", "附议代表：无", "修改", "已存为草稿")
		drafts, err := r.router.Core.Suggestions.DraftsOf(ctx, core.DeputyActor(wang, core.ViaWeChat))
		if err != nil || len(drafts) != 1 || drafts[0].Status != model.SuggestionDraft || drafts[0].Category != "城乡建设" {
			t.Fatalf("the draft: %+v %v", drafts, err)
		}
		if sub, err := r.router.Core.Suggestions.SubmissionAs(ctx, core.DeputyActor(wang, core.ViaWeChat), drafts[0].ID); err != nil ||
			len(sub.Files) != 1 || sub.Files[0].ContentType != "image/png" {
			t.Fatalf("the draft's photo: %+v %v", sub.Files, err)
		}
		expect(t, chat(t, u, "提建议", "1", "否", "4", "李强", "是"),
			"《关于建设乡镇养老服务中心的建议》（草稿）", "附议代表：无", "修改", "如需其他代表附议", "附议代表：李强", "已提交")
		sg, err := r.router.Core.Suggestions.Get(ctx, drafts[0].ID)
		if err != nil || sg.Status != model.SuggestionSubmitted {
			t.Fatalf("after submitting: %+v %v", sg, err)
		}
		expect(t, chat(t, r.sim.User("o-sd-li"), "不同意"), "已回复不附议")

		staff := core.CLIActor(model.Account{}, "test")
		if _, err := r.router.Core.Suggestions.ReviewAs(ctx, staff, sg.ID, core.ReviewAction{Action: core.ReviewReturn,
			Reason: "请补充服务中心的选址"}); err != nil {
			t.Fatal(err)
		}
		expect(t, chat(t, u, "提建议", "1"), "（已退回：请补充服务中心的选址）", "请确认您的建议")
		expect(t, chat(t, u, "取消"), "已暂停")

		if err := db.TerminateDeputy(ctx, wang.ID, time.Now(), "调离"); err != nil {
			t.Fatal(err)
		}
		expect(t, chat(t, u, "继续"), "代表资格已终止")
		kept, err := r.router.Core.Suggestions.Get(ctx, sg.ID)
		if err != nil || kept.Status != model.SuggestionReturned {
			t.Fatalf("the terminated deputy's suggestion: %+v %v", kept, err)
		}
	})
}
