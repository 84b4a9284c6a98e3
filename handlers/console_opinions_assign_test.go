package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestAssigningAnOpinion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		d := w.deputy(t, "王芳", "13800000001")
		o := w.opinion(t, d.ID, "social", "建议增加农村公交班次。")
		c := w.login(t, model.RoleStaff)
		assignee := w.accounts[model.RoleAdmin]
		path := "/admin/opinions/" + itoa(o.ID) + "/assign"

		t.Run("a staff member assigns it to an account", func(t *testing.T) {
			res := w.postForm(t, c, path, url.Values{"staff_id": {itoa(assignee.ID)}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("%d %s", res.status, res.body)
			}
			a, err := db.GetOpinionAssignment(t.Context(), o.ID)
			if err != nil || a.StaffID != assignee.ID || a.AssignedBy != "u-staff" {
				t.Fatalf("%+v %v", a, err)
			}
			as, err := db.OpinionAssignments(t.Context(), []int64{o.ID})
			if err != nil || as[o.ID].StaffName != assignee.DisplayName() {
				t.Fatalf("listed assignee %+v %v", as, err)
			}
		})
		t.Run("a read-only or unit account may not assign", func(t *testing.T) {
			if res := w.postForm(t, w.login(t, model.RoleReadonly), path, url.Values{"staff_id": {itoa(assignee.ID)}}); res.status != http.StatusForbidden {
				t.Fatalf("readonly: %d", res.status)
			}
		})
		t.Run("only an admin or staff account can be the assignee", func(t *testing.T) {
			res := w.postForm(t, c, path, url.Values{"staff_id": {itoa(w.accounts[model.RoleUnit].ID)}})
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("unit assignee: %d", res.status)
			}
			if a, _ := db.GetOpinionAssignment(t.Context(), o.ID); a.StaffID != assignee.ID {
				t.Fatalf("assignment changed to %d", a.StaffID)
			}
		})
		t.Run("the page and the inbox show the assignee; ?assignee=me filters", func(t *testing.T) {
			other := w.opinion(t, d.ID, "social", "另一条意见。")
			mustHave(t, w.get(t, c, "/admin/opinions/"+itoa(o.ID)), http.StatusOK, "负责人", assignee.DisplayName(),
				`action="/admin/opinions/`+itoa(o.ID)+`/assign"`)
			mustHave(t, w.get(t, c, "/admin/opinions"), http.StatusOK, assignee.DisplayName(), other.Receipt, "指派给我的")
			admin := w.login(t, model.RoleAdmin)
			res := w.get(t, admin, "/admin/opinions?assignee=me")
			mustHave(t, res, http.StatusOK, o.Receipt)
			mustLack(t, res, other.Receipt)
			res = w.get(t, c, "/admin/opinions?assignee=me")
			mustLack(t, res, o.Receipt, other.Receipt)
		})
		if got := w.auditActions(t); got["opinion.assign"] != 1 {
			t.Fatalf("audit %v", got)
		}
	})
}
