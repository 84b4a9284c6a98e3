package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestATestSendGoesToOneselfOrADeputyByName covers the compose page's
// 发送测试 (issue 17 point 4): to oneself it says how to bind one's WeChat
// until it is bound, then goes there; to a deputy it takes a name, and
// says so when that deputy cannot receive it; test sends stay out of the
// campaign list and the dashboard's counts of the day.
func TestATestSendGoesToOneselfOrADeputyByName(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		campaignDeputies(t, w) // 王芳 and 李强 bound, 赵敏 not
		c := w.login(t, model.RoleStaff)
		form := composeForm("换届选举工作安排")
		form.Set("action", "test")

		if res := w.get(t, c, "/admin/campaigns/new"); !strings.Contains(res.body, "尚未绑定") || !strings.Contains(res.body, `href="/admin/wechat"`) {
			t.Fatalf("the compose page does not say the account has no WeChat: %s", res.body)
		}
		form.Set("test_to", "me")
		res := w.postForm(t, c, "/admin/campaigns", form)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "您的账号尚未绑定微信，收不到测试通知") {
			t.Fatalf("a test to oneself with no WeChat: %d", res.status)
		}
		form.Set("test_to", "deputy")
		form.Set("test_deputy", "赵敏")
		res = w.postForm(t, c, "/admin/campaigns", form)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "赵敏 尚未绑定微信，收不到测试通知") || strings.Contains(res.body, "已发给") {
			t.Fatalf("a test to a deputy who cannot receive it: %d", res.status)
		}
		if n := w.auditActions(t)["campaign.test"]; n != 0 {
			t.Fatalf("refused tests left %d audit entries", n)
		}

		form.Set("test_deputy", "李强")
		res = w.postForm(t, c, "/admin/campaigns", form)
		if res.status != http.StatusSeeOther {
			t.Fatalf("a test to 李强 by name: %d %s", res.status, res.body)
		}
		if page := w.get(t, c, res.header.Get("Location")); !strings.Contains(page.body, "测试通知已发给代表 李强") {
			t.Fatalf("the test's page: %s", page.body)
		}

		me := w.accounts[model.RoleStaff]
		if err := db.BindStaffWeChat(context.Background(), me.ID, "o-staff-me"); err != nil {
			t.Fatal(err)
		}
		if res := w.get(t, c, "/admin/campaigns/new"); !strings.Contains(res.body, `name="test_to" value="me" checked`) {
			t.Fatal("a bound account is not offered the test to itself first")
		}
		form.Set("test_to", "me")
		res = w.postForm(t, c, "/admin/campaigns", form)
		if res.status != http.StatusOK || !strings.Contains(res.body, "测试通知已发往本人（") {
			t.Fatalf("a test to oneself: %d %s", res.status, res.body)
		}
		if n := w.auditActions(t)["campaign.test"]; n != 2 {
			t.Fatalf("%d test entries, want 2", n)
		}

		expandCampaigns(t, w)
		if list := w.get(t, c, "/admin/campaigns"); strings.Contains(list.body, "换届选举工作安排") {
			t.Fatal("a test send is in the campaign list")
		}
		if list := w.get(t, c, "/admin/campaigns?"+url.Values{"tests": {"1"}}.Encode()); !strings.Contains(list.body, "换届选举工作安排") {
			t.Fatal("the test sends are not listed on their own")
		}
		if res := w.api(t, model.RoleReadonly, http.MethodGet, "/api/v1/campaigns", "", nil); !strings.Contains(res.body, `"total":0`) {
			t.Fatalf("the API lists a test send: %s", res.body)
		}
		if res := w.api(t, model.RoleReadonly, http.MethodGet, "/api/v1/campaigns?tests=true&q="+url.QueryEscape("换届"), "", nil); !strings.Contains(res.body, `"total":1`) {
			t.Fatalf("the API's test sends: %s", res.body)
		}
		res = w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/dashboard", "", nil)
		if res.status != http.StatusOK || strings.Contains(res.body, `"queued"`) {
			t.Fatalf("the dashboard counts test sends: %s", res.body)
		}
	})
}
