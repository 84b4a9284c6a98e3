package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestAdoptingAnOpinionOnTheSolicitationPage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		ctx := context.Background()
		d := w.deputy(t, "王芳", "13800000001")
		svc := core.NewOpinions(db)
		svc.SetClock(w.clock.Now)
		sol := model.Solicitation{Title: "《XX省数据条例（草案）》征求意见", Articles: 40, ClosesAt: w.clock.Now().Add(48 * time.Hour)}
		if err := svc.CreateSolicitation(ctx, &sol); err != nil {
			t.Fatal(err)
		}
		receipt, err := svc.Submit(ctx, d.ID, model.Opinion{SolicitationID: sol.ID, Article: "3", Body: "建议明确数据分类分级标准。"})
		if err != nil {
			t.Fatal(err)
		}
		o, _ := svc.ByReceipt(ctx, receipt)
		page := "/admin/solicitations/" + itoa(sol.ID)
		action := `action="/admin/opinions/` + itoa(o.ID) + `/adopt"`
		c := w.login(t, model.RoleStaff)
		ro := w.login(t, model.RoleReadonly)

		mustHave(t, w.get(t, c, page), http.StatusOK, action, ">采纳<")
		mustLack(t, w.get(t, ro, page), action)
		if res := w.postForm(t, ro, "/admin/opinions/"+itoa(o.ID)+"/adopt", url.Values{}); res.status != http.StatusForbidden {
			t.Fatalf("readonly: %d", res.status)
		}
		for range 2 {
			if res := w.postForm(t, c, "/admin/opinions/"+itoa(o.ID)+"/adopt", url.Values{"note": {"已吸收"}}); res.status != http.StatusSeeOther {
				t.Fatalf("%d %s", res.status, res.body)
			}
		}
		if a, err := db.GetOpinionAdoption(ctx, o.ID); err != nil || a.AdoptedBy != "u-staff" || a.Note != "已吸收" {
			t.Fatalf("%+v %v", a, err)
		}
		res := w.get(t, c, page)
		mustHave(t, res, http.StatusOK, "已采纳")
		mustLack(t, res, action)
		if got := w.auditActions(t); got["opinion.adopt"] != 1 {
			t.Fatalf("audit %v", got)
		}
		other := w.opinion(t, d.ID, "social", "建议增加农村公交班次。")
		if res := w.postForm(t, c, "/admin/opinions/"+itoa(other.ID)+"/adopt", url.Values{}); res.status != http.StatusBadRequest {
			t.Fatalf("adopting a general opinion: %d", res.status)
		}
	})
}
