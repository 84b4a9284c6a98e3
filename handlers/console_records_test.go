package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestRecordConsole(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		ctx := context.Background()
		d := w.deputy(t, "履职代表", "13800009001")
		rec := core.New(db, core.Options{Now: w.clock.Now}).Records
		submit := func(desc string) int64 {
			e, err := rec.SubmitEntry(ctx, core.DeputyActor(d, core.ViaWeChat), model.RecordEntry{Category: model.EntryContact,
				HappenedOn: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Place: "历城区", Description: desc})
			if err != nil {
				t.Fatal(err)
			}
			return e.ID
		}
		first, second := submit("走访选民"), submit("接待群众")
		staff, readonly := w.login(t, model.RoleStaff), w.login(t, model.RoleReadonly)

		t.Run("the review queue lists pending self-reports for editors only", func(t *testing.T) {
			res := w.get(t, staff, "/admin/records/review")
			if res.status != http.StatusOK || !strings.Contains(res.body, "走访选民") || !strings.Contains(res.body, "待审核 2 条") {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if res := w.get(t, readonly, "/admin/records/review"); res.status != http.StatusForbidden {
				t.Fatalf("read-only got %d", res.status)
			}
		})

		t.Run("a rejection without a note is shown again with the message", func(t *testing.T) {
			res := w.postForm(t, staff, fmt.Sprintf("/admin/records/%d/review", second), url.Values{"decision": {"reject"}})
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "退回时请说明原因") {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if e, _ := db.GetRecordEntry(ctx, second); e.Status != model.EntryPending {
				t.Fatalf("entry changed: %+v", e)
			}
		})

		t.Run("approving and rejecting are audited and change the totals", func(t *testing.T) {
			res := w.postForm(t, staff, fmt.Sprintf("/admin/records/%d/review", first), url.Values{"decision": {"approve"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("approve: %d %s", res.status, res.body)
			}
			res = w.postForm(t, staff, fmt.Sprintf("/admin/records/%d/review", second), url.Values{"decision": {"reject"}, "note": {"无活动材料"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("reject: %d %s", res.status, res.body)
			}
			if n := w.auditActions(t)["record.review"]; n != 2 {
				t.Fatalf("%d record.review audit entries, want 2", n)
			}
			res = w.postForm(t, staff, fmt.Sprintf("/admin/records/%d/review", first), url.Values{"decision": {"reject"}, "note": {"x"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("a second review: %d", res.status)
			}
			if e, _ := db.GetRecordEntry(ctx, first); e.Status != model.EntryApproved {
				t.Fatalf("a second review changed the entry: %+v", e)
			}
			if res := w.postForm(t, staff, "/admin/records/9999/review", url.Values{"decision": {"approve"}}); res.status != http.StatusNotFound {
				t.Fatalf("missing entry: %d", res.status)
			}
		})

		t.Run("a deputy's record page shows totals, timeline and reviews to viewers", func(t *testing.T) {
			res := w.get(t, readonly, fmt.Sprintf("/admin/deputies/%d/record?year=2026", d.ID))
			for _, want := range []string{"履职档案", "共 <strong>1</strong> 项，积分 <strong>2</strong> 分", "走访选民", "无活动材料", "未通过"} {
				if !strings.Contains(res.body, want) {
					t.Fatalf("record page lacks %q: %d %s", want, res.status, res.body)
				}
			}
			if res := w.get(t, readonly, fmt.Sprintf("/admin/deputies/%d/record?year=abc", d.ID)); res.status != http.StatusBadRequest {
				t.Fatalf("a bad year gave %d", res.status)
			}
		})

		t.Run("the annual reports print and export", func(t *testing.T) {
			res := w.get(t, readonly, fmt.Sprintf("/admin/records/report?deputy=%d&year=2026", d.ID))
			if res.status != http.StatusOK || !strings.Contains(res.body, "履职代表代表 2026 年度履职报告") || !strings.Contains(res.body, "records.css") {
				t.Fatalf("deputy report: %d %s", res.status, res.body)
			}
			res = w.get(t, readonly, "/admin/records/report?delegation="+url.QueryEscape("济南市代表团")+"&year=2026")
			if res.status != http.StatusOK || !strings.Contains(res.body, "济南市代表团 2026 年度代表履职情况") || !strings.Contains(res.body, "履职代表") {
				t.Fatalf("delegation report: %d %s", res.status, res.body)
			}
			res = w.get(t, staff, "/admin/records/report")
			if res.status != http.StatusOK || !strings.Contains(res.body, `<option value="济南市代表团">`) {
				t.Fatalf("report chooser: %d %s", res.status, res.body)
			}
			res = w.get(t, staff, fmt.Sprintf("/admin/records/report.xlsx?deputy=%d&year=2026", d.ID))
			if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("xlsx: %d %v", res.status, res.header)
			}
			x, err := excelize.OpenReader(strings.NewReader(res.body))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := x.GetRows("履职明细")
			if len(rows) != 2 || rows[1][2] != "走访选民" {
				t.Fatalf("detail rows %v", rows)
			}
			if w.auditActions(t)["record.export"] != 1 {
				t.Fatal("the export was not audited")
			}
			res = w.get(t, staff, "/admin/records/report.xlsx?delegation="+url.QueryEscape("济南市代表团"))
			if res.status != http.StatusOK {
				t.Fatalf("delegation xlsx: %d", res.status)
			}
			if res := w.get(t, readonly, fmt.Sprintf("/admin/records/report.xlsx?deputy=%d", d.ID)); res.status != http.StatusForbidden {
				t.Fatalf("read-only export: %d", res.status)
			}
		})
	})
}
