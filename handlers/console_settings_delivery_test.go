package handlers_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"deputybot/config"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestDeliverySettingsShowErrorsBesideTheFieldsSaveAndReset(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		cfg := config.Default()
		withSettingsDeps(t, w, &cfg, nil)
		c := w.login(t, model.RoleAdmin)
		mustHave(t, w.get(t, c, "/admin/settings"), http.StatusOK, `action="/admin/settings/delivery"`,
			`name="quiet_hours" value="22:00-07:30"`, `name="rate_per_second" value="20"`, "当前使用配置文件中的值")

		res := w.postForm(t, c, "/admin/settings/delivery", url.Values{"quiet_hours": {"22:00-7:30<b>"}, "rate_per_second": {"0"}})
		mustHave(t, res, http.StatusUnprocessableEntity, "发送设置有误，未保存", "应写作 22:00-07:30", "应大于 0 且不超过 1000",
			`value="22:00-7:30&lt;b&gt;"`)
		mustLack(t, res, "7:30<b>")
		if n := strings.Count(res.body, `class="field has-err"`); n != 2 {
			t.Errorf("%d fields marked, want 2", n)
		}
		res = w.postForm(t, c, "/admin/settings/delivery", url.Values{"quiet_hours": {"21:00-08:00"}, "rate_per_second": {"many"}})
		mustHave(t, res, http.StatusUnprocessableEntity, "请填写数字")
		res = w.postForm(t, c, "/admin/settings/delivery", url.Values{"quiet_hours": {""}, "rate_per_second": {"1001"}})
		mustHave(t, res, http.StatusUnprocessableEntity, "应大于 0 且不超过 1000")
		if _, err := db.DeliverySetting(t.Context()); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("saved despite errors: %v", err)
		}

		res = w.postForm(t, c, "/admin/settings/delivery", url.Values{"quiet_hours": {"21:00-08:00"}, "rate_per_second": {"12.5"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("valid: %d %s", res.status, res.body)
		}
		got, err := db.DeliverySetting(t.Context())
		if err != nil || got.QuietHours != "21:00-08:00" || got.RatePerSecond != 12.5 {
			t.Fatalf("saved %+v %v", got, err)
		}
		mustHave(t, w.get(t, c, "/admin/settings"), http.StatusOK, `name="quiet_hours" value="21:00-08:00"`,
			`name="rate_per_second" value="12.5"`, "当前使用在本页保存的值", "发送设置已保存", `action="/admin/settings/delivery/reset"`)
		// Empty quiet hours means none.
		res = w.postForm(t, c, "/admin/settings/delivery", url.Values{"quiet_hours": {""}, "rate_per_second": {"30"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("no quiet hours: %d %s", res.status, res.body)
		}
		if got, _ := db.DeliverySetting(t.Context()); got.QuietHours != "" || got.RatePerSecond != 30 {
			t.Fatalf("saved %+v", got)
		}

		if res := w.postForm(t, c, "/admin/settings/delivery/reset", url.Values{}); res.status != http.StatusSeeOther {
			t.Fatalf("reset: %d %s", res.status, res.body)
		}
		if _, err := db.DeliverySetting(t.Context()); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("after reset: %v", err)
		}
		audit := w.auditSummaries(t, "settings.delivery")
		if len(audit) != 3 {
			t.Fatalf("audit %q", audit)
		}
		joined := strings.Join(audit, "\n")
		for _, want := range []string{"免打扰 21:00-08:00，每秒 12.5 条", "按配置文件（免打扰 22:00-07:30，每秒 20 条）", "免打扰 无，每秒 30 条"} {
			if !strings.Contains(joined, want) {
				t.Errorf("audit lacks %q: %q", want, audit)
			}
		}

		// Staff may not change it.
		staff := w.login(t, model.RoleStaff)
		if res := w.postForm(t, staff, "/admin/settings/delivery", url.Values{"quiet_hours": {""}, "rate_per_second": {"5"}}); res.status != http.StatusForbidden {
			t.Fatalf("staff: %d", res.status)
		}
	})
}
