package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestTheDashboardTellsStaffADeputysBindingIsLocked: after ten failed
// binding attempts naming a deputy, the console's home page and
// GET /api/v1/dashboard name the deputy and say only a staff code binds
// them now, and the audit log has the lock.
func TestTheDashboardTellsStaffADeputysBindingIsLocked(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		ctx := context.Background()
		d := w.deputy(t, "王芳", "13800131234")
		c := w.login(t, model.RoleStaff)
		if res := w.get(t, c, "/admin/"); strings.Contains(res.body, "微信绑定已锁定") {
			t.Fatal("the dashboard shows a lock before any attempt")
		}
		binding := core.New(db, core.Options{Now: w.clock.Now}).Binding
		for i := range core.BindDeputyMaxFailures + 1 {
			by := core.PublicActor(fmt.Sprintf("o-guess-%d", i/4), core.ViaWeChat)
			if _, err := binding.Attempt(ctx, by, "王芳", fmt.Sprintf("%04d", 7000+i)); err != nil {
				t.Fatal(err)
			}
		}
		res := w.get(t, c, "/admin/")
		if res.status != http.StatusOK || !strings.Contains(res.body, "以下代表的微信绑定已锁定") ||
			!strings.Contains(res.body, fmt.Sprintf(`href="/admin/deputies/%d">王芳</a>`, d.ID)) || !strings.Contains(res.body, "绑定码") {
			t.Fatalf("the dashboard: %d\n%s", res.status, res.body)
		}
		body := decode[struct {
			BindLocks []struct {
				DeputyID int64  `json:"deputy_id"`
				Name     string `json:"name"`
			} `json:"bind_locks"`
		}](t, w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/dashboard", "", nil))
		if len(body.BindLocks) != 1 || body.BindLocks[0].DeputyID != d.ID || body.BindLocks[0].Name != "王芳" {
			t.Fatalf("the API dashboard's locks: %+v", body.BindLocks)
		}
		if res := w.get(t, c, fmt.Sprintf("/admin/deputies/%d", d.ID)); !strings.Contains(res.body, "微信绑定已锁定") {
			t.Fatalf("the deputy's page does not say the binding is locked:\n%s", res.body)
		}
		if n := w.auditActions(t)["deputy.bind_locked"]; n != 1 {
			t.Fatalf("%d lock entries in the audit log", n)
		}
	})
}
