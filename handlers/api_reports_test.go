package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestReportsAndDelegationRecordsThroughTheAPI(t *testing.T) {
	w := newAdminWorld(t, storagetest.Open(t, storage.SQLite), "")
	a := w.deputy(t, "王芳", "13800000001")
	b := w.deputy(t, "李强", "13800000002")
	w.opinion(t, a.ID, "social", "建议一")
	w.opinion(t, a.ID, "social", "建议二")
	w.opinion(t, b.ID, "social", "建议三")
	year := w.clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006")

	res := w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/records/delegation?"+url.Values{"name": {"济南市代表团"}, "year": {year}}.Encode(), "")
	var rec struct {
		Deputies []struct {
			Name   string
			Totals struct{ Points int }
		}
		Sum struct{ Count, Points int }
	}
	if err := json.Unmarshal([]byte(res.body), &rec); err != nil || res.status != http.StatusOK || len(rec.Deputies) != 2 ||
		rec.Deputies[0].Name != "王芳" || rec.Deputies[0].Totals.Points != 2 || rec.Sum.Count != 3 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/records/delegation", ""), http.StatusBadRequest, "name")
	ex := w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/records/report/export?"+url.Values{"delegation": {"济南市代表团"}}.Encode(), "", nil)
	if ex.status != http.StatusOK || !strings.Contains(ex.header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export %d %s", ex.status, ex.body)
	}
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodGet, "/api/v1/records/report/export", ""), http.StatusBadRequest, "请选择代表或代表团")

	res = w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/reports?period="+year, "")
	wantStatus(t, res, http.StatusOK, `"yearly":true`, `"label":"收到意见","value":"3"`, `"month":"`)
	if strings.Count(res.body, `"month":"`) != 12 {
		t.Fatalf("a yearly report has 12 months: %s", res.body)
	}
	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/reports?period=去年", ""), http.StatusBadRequest, "统计期间")
	if ex := w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/reports/export?period="+year, "", nil); ex.status != http.StatusOK {
		t.Fatalf("report export %d %s", ex.status, ex.body)
	}
	// (report.export is audited after the file is written, so it cannot be
	// checked here without a race; record.export is audited before.)
	if acts := w.auditActions(t); acts["record.export"] != 1 {
		t.Fatalf("the record export is not audited: %v", acts)
	}
}
