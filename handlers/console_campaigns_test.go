package handlers_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// campaignDeputies creates three deputies of 济南市代表团, the first two
// bound to WeChat, and returns them.
func campaignDeputies(t *testing.T, w *adminWorld) []model.Deputy {
	t.Helper()
	var ds []model.Deputy
	for i, name := range []string{"王芳", "李强", "赵敏"} {
		d := w.deputy(t, name, fmt.Sprintf("1380000010%d", i))
		if i < 2 {
			if err := w.db.BindDeputy(context.Background(), d.ID, fmt.Sprintf("openid-%d", d.ID)); err != nil {
				t.Fatal(err)
			}
		}
		ds = append(ds, d)
	}
	return ds
}

// expandCampaigns does what the dispatcher does first: write the
// deliveries of the campaigns that are due.
func expandCampaigns(t *testing.T, w *adminWorld) {
	t.Helper()
	o := notify.New(w.db, notify.Config{}, slog.New(slog.DiscardHandler))
	o.SetClock(w.clock.Now)
	if _, err := o.ExpandDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// campaignPath is where a create redirected to.
var campaignPath = regexp.MustCompile(`^/admin/campaigns/(\d+)$`)

func composeForm(title string) url.Values {
	return url.Values{"kind": {"general_notice"}, "title": {title}, "body": {"请各位代表按时参加。"},
		"delegation": {"济南市代表团"}, "when": {"now"}, "action": {"send"}}
}

func createCampaign(t *testing.T, w *adminWorld, c *http.Client, form url.Values) int64 {
	t.Helper()
	res := w.postForm(t, c, "/admin/campaigns", form)
	m := campaignPath.FindStringSubmatch(res.header.Get("Location"))
	if res.status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func TestTheComposeFormShowsErrorsBesideTheFields(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	c := w.login(t, model.RoleStaff)
	form := url.Values{"kind": {"nonsense"}, "title": {""}, "link": {"javascript:alert(1)"}, "when": {"later"},
		"send_at": {"明天"}, "deputy_ids": {"12x"}, "action": {"send"}}
	res := w.postForm(t, c, "/admin/campaigns", form)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("%d %s", res.status, res.body)
	}
	for _, want := range []string{
		`name="title" value="" maxlength="100" data-maxlen="20" required><div class="err">不能为空</div>`,
		`请选择通知类型`, `应为以 https:// 开头的网址`, `请填写发送的日期和时间`, `应为代表编号（正整数）`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	res = w.postForm(t, c, "/admin/campaigns", url.Values{"kind": {"general_notice"}, "title": {"会议通知"}, "action": {"send"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "请选择“全体代表”，或至少设定一个条件") {
		t.Fatalf("no audience: %d", res.status)
	}
	res = w.postForm(t, c, "/admin/campaigns", url.Values{"kind": {"general_notice"}, "title": {"会议通知"}, "all": {"1"},
		"when": {"later"}, "send_at": {"2026-03-01T09:00"}, "action": {"send"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "定时发送的时间应晚于现在") {
		t.Fatalf("a time in the past: %d", res.status)
	}
	if _, total, _ := db.ListCampaigns(t.Context(), model.CampaignFilter{}); total != 0 {
		t.Fatalf("an invalid form created %d campaigns", total)
	}
}

func TestAPreviewCountsTheAudienceAndCutsLongKeywords(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	campaignDeputies(t, w)
	c := w.login(t, model.RoleStaff)
	form := composeForm("关于召开省人大常委会第二十次会议征求代表意见的通知")
	form.Set("action", "preview")
	res := w.postForm(t, c, "/admin/campaigns", form)
	if res.status != http.StatusOK || !strings.Contains(res.body, "将发送给 3 位代表，其中 1 位未绑定") {
		t.Fatalf("preview: %d %s", res.status, res.body)
	}
	if !strings.Contains(res.body, "关于召开省人大常委会第二十次会议征求代…") || !strings.Contains(res.body, "超过 20 字，已截断") {
		t.Fatal("the preview does not show the 20-character cut")
	}
	live := w.get(t, c, "/admin/audience/count?"+url.Values{"delegation": {"济南市代表团"}, "deputy_ids": {"1"}}.Encode())
	if live.status != http.StatusOK || !strings.Contains(live.body, `"total":1`) || !strings.Contains(live.body, `"reachable":1`) {
		t.Fatalf("live count: %d %s", live.status, live.body)
	}
	if live := w.get(t, c, "/admin/audience/count"); live.status != http.StatusUnprocessableEntity {
		t.Fatalf("live count of no one: %d %s", live.status, live.body)
	}
	if _, total, _ := db.ListCampaigns(t.Context(), model.CampaignFilter{}); total != 0 {
		t.Fatalf("a preview created %d campaigns", total)
	}
}

func TestACampaignShowsItsDeliveriesAndIsPausedResumedAndCancelled(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	campaignDeputies(t, w)
	c := w.login(t, model.RoleStaff)
	id := createCampaign(t, w, c, composeForm("三月集中视察安排"))
	path := "/admin/campaigns/" + strconv.FormatInt(id, 10)
	expandCampaigns(t, w)

	res := w.get(t, c, path)
	if res.status != http.StatusOK || !strings.Contains(res.body, "排队中 <b>2</b>") || !strings.Contains(res.body, "未发送 <b>1</b>") ||
		!strings.Contains(res.body, "未绑定微信") || !strings.Contains(res.body, "共 3 位") {
		t.Fatalf("progress: %d %s", res.status, res.body)
	}
	res = w.get(t, c, path+"?status=skipped")
	if !strings.Contains(res.body, "赵敏") || strings.Contains(res.body, "王芳") {
		t.Fatal("the status filter does not filter")
	}
	if list := w.get(t, c, "/admin/campaigns"); !strings.Contains(list.body, "三月集中视察安排") || !strings.Contains(list.body, "排队中 2") {
		t.Fatalf("list: %s", list.body)
	}
	if x := w.get(t, c, path+"/export"); x.status != http.StatusOK || !strings.HasPrefix(x.body, "PK") {
		t.Fatalf("export: %d", x.status)
	}

	if res := w.postForm(t, c, path+"/pause", nil); res.status != http.StatusSeeOther {
		t.Fatalf("pause: %d %s", res.status, res.body)
	}
	res = w.get(t, c, path)
	if !strings.Contains(res.body, "已暂停：由") || !strings.Contains(res.body, "已暂停 <b>2</b>") || !strings.Contains(res.body, "恢复发送") {
		t.Fatalf("paused: %s", res.body)
	}
	if res := w.postForm(t, c, path+"/pause", nil); res.status != http.StatusConflict {
		t.Fatalf("pausing twice: %d", res.status)
	}
	if res := w.postForm(t, c, path+"/resume", nil); res.status != http.StatusSeeOther {
		t.Fatalf("resume: %d", res.status)
	}
	if res := w.get(t, c, path+"/cancel"); res.status != http.StatusOK || !strings.Contains(res.body, "不可撤销") {
		t.Fatalf("the confirmation step: %d", res.status)
	}
	res = w.postForm(t, c, path+"/cancel", nil)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "请勾选确认") {
		t.Fatalf("cancel without confirming: %d", res.status)
	}
	if cp, _ := db.GetCampaign(t.Context(), id); cp.Status != model.CampaignSending {
		t.Fatalf("cancelled without confirmation: %s", cp.Status)
	}
	if res := w.postForm(t, c, path+"/cancel", url.Values{"confirm": {"1"}}); res.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.status)
	}
	res = w.get(t, c, path)
	if !strings.Contains(res.body, "已取消 <b>2</b>") || strings.Contains(res.body, "恢复发送") {
		t.Fatalf("cancelled: %s", res.body)
	}
	if res := w.postForm(t, c, path+"/resume", nil); res.status != http.StatusConflict {
		t.Fatalf("resuming a cancelled campaign: %d", res.status)
	}
	got := w.auditActions(t)
	for _, a := range []string{"campaign.create", "campaign.pause", "campaign.resume", "campaign.cancel", "campaign.export"} {
		if got[a] != 1 {
			t.Errorf("audit %s: %d", a, got[a])
		}
	}
}

func TestATestSendGoesToOneDeputyMarkedAsATest(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	ds := campaignDeputies(t, w)
	c := w.login(t, model.RoleStaff)
	form := composeForm("换届选举工作安排")
	form.Set("action", "test")
	res := w.postForm(t, c, "/admin/campaigns", form)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "请填写接收测试的代表编号") {
		t.Fatalf("without a deputy: %d", res.status)
	}
	form.Set("test_deputy", "9999")
	if res := w.postForm(t, c, "/admin/campaigns", form); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "没有这些编号的代表：9999") {
		t.Fatalf("an unknown deputy: %d", res.status)
	}
	form.Set("test_deputy", strconv.FormatInt(ds[1].ID, 10))
	id := createCampaign(t, w, c, form)
	cp, _ := db.GetCampaign(t.Context(), id)
	n, _ := db.GetNotice(t.Context(), cp.NoticeID)
	if len(cp.Audience.DeputyIDs) != 1 || cp.Audience.DeputyIDs[0] != ds[1].ID || n.Title != "【测试】换届选举工作安排" {
		t.Fatalf("test campaign %+v %q", cp.Audience, n.Title)
	}
	expandCampaigns(t, w)
	if res := w.get(t, c, "/admin/campaigns/"+strconv.FormatInt(id, 10)); !strings.Contains(res.body, "排队中 <b>1</b>") || !strings.Contains(res.body, "李强") {
		t.Fatalf("progress: %s", res.body)
	}
	if w.auditActions(t)["campaign.test"] != 1 {
		t.Fatal("the test send is not audited")
	}
}

func TestAReadOnlyAccountSeesCampaignsButChangesNothing(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	campaignDeputies(t, w)
	id := createCampaign(t, w, w.login(t, model.RoleStaff), composeForm("学习材料推送"))
	path := "/admin/campaigns/" + strconv.FormatInt(id, 10)
	ro := w.login(t, model.RoleReadonly)
	for _, p := range []string{"/admin/campaigns", path} {
		if res := w.get(t, ro, p); res.status != http.StatusOK || strings.Contains(res.body, "/pause") || strings.Contains(res.body, "撰写通知</a>") {
			t.Errorf("%s: %d, or controls shown", p, res.status)
		}
	}
	if res := w.postForm(t, ro, "/admin/campaigns", composeForm("越权通知")); res.status != http.StatusForbidden {
		t.Fatalf("create: %d", res.status)
	}
	if res := w.postForm(t, ro, path+"/pause", nil); res.status != http.StatusForbidden {
		t.Fatalf("pause: %d", res.status)
	}
	if cp, _ := db.GetCampaign(t.Context(), id); cp.Status != model.CampaignScheduled {
		t.Fatalf("status %s", cp.Status)
	}
}

func TestANoticeTitleIsShownEscaped(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	campaignDeputies(t, w)
	c := w.login(t, model.RoleStaff)
	form := composeForm(xssName)
	form.Set("body", xssName)
	id := createCampaign(t, w, c, form)
	form.Set("action", "preview")
	preview := w.postForm(t, c, "/admin/campaigns", form)
	for name, res := range map[string]result{"list": w.get(t, c, "/admin/campaigns"),
		"progress": w.get(t, c, "/admin/campaigns/"+strconv.FormatInt(id, 10)), "preview": preview,
		"cancel": w.get(t, c, "/admin/campaigns/"+strconv.FormatInt(id, 10)+"/cancel")} {
		if res.status != http.StatusOK || strings.Contains(res.body, xssName) || !strings.Contains(res.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: %d, title shown raw or not at all", name, res.status)
		}
	}
}
