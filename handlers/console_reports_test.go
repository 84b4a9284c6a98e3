package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestReportPagesMonthYearAndExport(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	w.deputy(t, "王芳", "13800000001")
	staff := w.login(t, model.RoleStaff)
	res := w.get(t, staff, "/admin/reports?period=2026-03")
	for _, want := range []string{"2026年3月", "学习完成率", "学习人次 ÷（材料数 × 已绑定微信的在任代表数）", "2026-03-31"} {
		if res.status != http.StatusOK || !strings.Contains(res.body, want) {
			t.Fatalf("the month lacks %q: %d", want, res.status)
		}
	}
	if res := w.get(t, staff, "/admin/reports"); res.status != http.StatusOK || !strings.Contains(res.body, "2026年3月") {
		t.Fatalf("this month by default: %d", res.status)
	}
	if res := w.get(t, staff, "/admin/reports?period=2026"); res.status != http.StatusOK || !strings.Contains(res.body, "逐月情况") ||
		!strings.Contains(res.body, "12月") {
		t.Fatalf("the year: %d", res.status)
	}
	if res := w.get(t, staff, "/admin/reports?period=26-3"); res.status != http.StatusBadRequest {
		t.Fatalf("a bad period: %d", res.status)
	}
	res = w.get(t, staff, "/admin/reports/export?period=2026")
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, "PK") || !strings.Contains(res.header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("export: %d %v", res.status, res.header)
	}
	if res := w.get(t, w.login(t, model.RoleReadonly), "/admin/reports/export?period=2026"); res.status != http.StatusForbidden {
		t.Fatalf("read-only export: %d", res.status)
	}
	if res := w.get(t, w.login(t, model.RoleUnit), "/admin/reports"); res.status != http.StatusForbidden {
		t.Fatalf("a unit sees the committee's report: %d", res.status)
	}
}
