package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestRecurringNoticeSeriesInTheConsole(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		c := w.login(t, model.RoleStaff)

		t.Run("a bad cron spec is shown beside its field", func(t *testing.T) {
			res := w.postForm(t, c, "/admin/series", url.Values{"name": {"周报"}, "kind": {"general"},
				"title": {"本周提醒"}, "body": {"正文"}, "schedule": {"every monday"}})
			mustHave(t, res, http.StatusUnprocessableEntity, `<div class="err">应为标准 cron 表达式`)
		})
		t.Run("a series is created, listed and stopped", func(t *testing.T) {
			mustHave(t, w.get(t, c, "/admin/series/new"), http.StatusOK, `name="schedule"`)
			res := w.postForm(t, c, "/admin/series", url.Values{"name": {"每周学习"}, "schedule": {"0 9 * * 1"},
				"next_material": {"1"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("%d %s", res.status, res.body)
			}
			list, err := db.ListSeries(t.Context(), true)
			if err != nil || len(list) != 1 || !list[0].NextMaterial || !list[0].Audience.All {
				t.Fatalf("%+v %v", list, err)
			}
			mustHave(t, w.get(t, c, "/admin/series"), http.StatusOK, "每周学习", "下一份未推送的学习材料")
			if res := w.postForm(t, c, "/admin/series/"+itoa(list[0].ID)+"/deactivate", nil); res.status != http.StatusSeeOther {
				t.Fatalf("deactivate: %d", res.status)
			}
			if list, _ := db.ListSeries(t.Context(), true); len(list) != 0 {
				t.Fatalf("still active: %+v", list)
			}
		})
		t.Run("read-only accounts may not see series", func(t *testing.T) {
			if res := w.get(t, w.login(t, model.RoleReadonly), "/admin/series"); res.status != http.StatusForbidden {
				t.Fatalf("%d", res.status)
			}
		})
		if got := w.auditActions(t); got["series.create"] != 1 || got["series.deactivate"] != 1 {
			t.Fatalf("audit %v", got)
		}
	})
}
