package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestPointsRulesAreEditedByAdminsAndApplyAtOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		d := w.deputy(t, "王芳", "13800000001")
		w.opinion(t, d.ID, "social", "建议增加农村公交班次。")
		points := func(t *testing.T) int {
			t.Helper()
			res := w.apiJSON(t, model.RoleReadonly, http.MethodGet, fmt.Sprintf("/api/v1/deputies/%d/record", d.ID), "")
			var got struct {
				Totals struct{ Points int }
			}
			if err := json.Unmarshal([]byte(res.body), &got); err != nil || res.status != http.StatusOK {
				t.Fatalf("%d %s", res.status, res.body)
			}
			return got.Totals.Points
		}
		if p := points(t); p != 1 {
			t.Fatalf("one opinion at the default rules: %d points, want 1", p)
		}
		form := url.Values{}
		for _, rt := range model.RecordTypes {
			form.Set(rt.Type, fmt.Sprint(rt.Points))
		}

		t.Run("staff see the rules without boxes", func(t *testing.T) {
			res := w.get(t, w.login(t, model.RoleStaff), "/admin/records/rules")
			mustHave(t, res, http.StatusOK, "提出意见建议", "只有系统管理员可以修改积分规则")
			if strings.Contains(res.body, `type="number"`) {
				t.Fatal("staff are offered boxes they may not save")
			}
		})

		admin := w.login(t, model.RoleAdmin)
		t.Run("bad points are refused, each saying what is wrong", func(t *testing.T) {
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			bad.Set(model.RecOpinion, "abc")
			bad.Set(model.RecStudy, "150")
			res := w.postForm(t, admin, "/admin/records/rules", bad)
			mustHave(t, res, http.StatusUnprocessableEntity, "积分规则未保存", "不是整数，请填写 0 到 100 的整数", "超出范围，请填写 0 到 100 的整数", `value="abc"`)
			if p := points(t); p != 1 {
				t.Fatalf("a refused form changed the points: %d", p)
			}
		})
		t.Run("a change applies to the totals at once and is audited", func(t *testing.T) {
			form.Set(model.RecOpinion, "7")
			res := w.postForm(t, admin, "/admin/records/rules", form)
			if res.status != http.StatusSeeOther {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if p := points(t); p != 7 {
				t.Fatalf("after the change: %d points, want 7", p)
			}
			if got := w.auditSummaries(t, "record.rules"); len(got) != 1 || !strings.Contains(got[0], "提出意见建议 1→7") {
				t.Fatalf("audit %v", got)
			}
			mustHave(t, w.get(t, admin, "/admin/records/rules"), http.StatusOK, `name="opinion" value="7"`)
			mustHave(t, w.get(t, admin, fmt.Sprintf("/admin/records/report?deputy=%d", d.ID)), http.StatusOK, "履职积分 7 分")
		})
		t.Run("reset goes back to the defaults", func(t *testing.T) {
			if res := w.postForm(t, admin, "/admin/records/rules", url.Values{"reset": {"1"}}); res.status != http.StatusSeeOther {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if p := points(t); p != 1 {
				t.Fatalf("after reset: %d", p)
			}
		})
		t.Run("the API reads and changes the rules", func(t *testing.T) {
			wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/records/rules", ""), http.StatusOK,
				`{"type":"opinion","label":"提出意见建议","points":1,"default":1}`)
			wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPut, "/api/v1/records/rules", `{"rules":{"opinion":3}}`), http.StatusForbidden)
			wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPut, "/api/v1/records/rules", `{"rules":{"opinion":1.5}}`),
				http.StatusUnprocessableEntity, `"field":"rules.opinion"`, "不是整数")
			wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPut, "/api/v1/records/rules", `{"rules":{"opinion":101}}`),
				http.StatusUnprocessableEntity, "超出范围")
			wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPut, "/api/v1/records/rules", `{"rules":{"nonsense":1}}`),
				http.StatusUnprocessableEntity, `"field":"rules"`)
			wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPut, "/api/v1/records/rules", `{"rules":{"opinion":3}}`),
				http.StatusOK, `"type":"opinion","label":"提出意见建议","points":3`)
			if p := points(t); p != 3 {
				t.Fatalf("after the API change: %d", p)
			}
		})
	})
}
