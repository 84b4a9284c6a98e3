package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// The check through the API: upload a PDF, create a material with
// it, publish it to a delegation; only that delegation's bound deputy gets
// a push; 学习 lists it and 已学1 marks it; the stats show it studied and
// the deputy's record shows the study points.
func TestMaterialThroughTheAPI(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		ctx := context.Background()
		now := w.clock.Now()
		in := model.Deputy{Name: "济南代表", Delegation: "济南市代表团", Level: model.LevelProvincial, OpenID: "o-in", BoundAt: &now}
		out := model.Deputy{Name: "青岛代表", Delegation: "青岛市代表团", Level: model.LevelProvincial, OpenID: "o-out", BoundAt: &now}
		if _, err := db.UpsertDeputies(ctx, []model.Deputy{in, out}); err != nil {
			t.Fatal(err)
		}
		in, _ = db.GetDeputyByOpenID(ctx, "o-in")
		decode := func(r result, v any) {
			t.Helper()
			if err := json.Unmarshal([]byte(r.body), v); err != nil {
				t.Fatalf("%d %s: %v", r.status, r.body, err)
			}
		}
		ct, body := uploadBody(t, "file", "预算法解读.pdf", core.SamplePDF("Budget law"))
		up := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/files", ct, body)
		var f struct{ ID int64 }
		decode(up, &f)

		created := w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/materials", fmt.Sprintf(
			`{"title":"中华人民共和国预算法解读","summary":"预算审查要点","body":"# 预算法\n\n<script>alert(1)</script>[看](javascript:alert(2))","category":"法律法规","attachment_ids":[%d]}`, f.ID))
		var m struct {
			ID          int64
			Status      string
			Attachments []struct{ ID int64 }
		}
		decode(created, &m)
		if created.status != http.StatusCreated || m.Status != "draft" || len(m.Attachments) != 1 {
			t.Fatalf("create: %d %s", created.status, created.body)
		}
		id := fmt.Sprint(m.ID)

		t.Run("bad input is 422 naming the fields", func(t *testing.T) {
			r := w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/materials", `{"title":"","link":"javascript:x","category":"八卦","attachment_ids":[99]}`)
			for _, k := range []string{`"title"`, `"link"`, `"category"`, `"attachment_ids"`} {
				if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"field":`+k) {
					t.Fatalf("%s missing: %d %s", k, r.status, r.body)
				}
			}
			r = w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/materials/"+id+"/publish", `{"audience":{}}`)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"field":"audience"`) {
				t.Fatalf("empty audience: %d %s", r.status, r.body)
			}
			r = w.apiJSON(t, model.RoleReadonly, http.MethodPost, "/api/v1/materials/"+id+"/publish", `{}`)
			if r.status != http.StatusForbidden {
				t.Fatalf("read-only publish: %d", r.status)
			}
		})

		pub := w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/materials/"+id+"/publish", `{"audience":{"delegations":["济南市代表团"]}}`)
		var p struct {
			CampaignID int64 `json:"campaign_id"`
		}
		decode(pub, &p)
		if pub.status != http.StatusOK || p.CampaignID == 0 {
			t.Fatalf("publish: %d %s", pub.status, pub.body)
		}
		outbox := notify.New(db, notify.Config{}, slog.New(slog.DiscardHandler))
		outbox.SetClock(w.clock.Now)
		if _, err := outbox.ExpandDue(ctx); err != nil {
			t.Fatal(err)
		}
		ds, err := db.ListDeliveries(ctx, model.DeliveryFilter{CampaignID: p.CampaignID, Limit: 10})
		if err != nil || len(ds) != 1 || ds[0].DeputyID != in.ID {
			t.Fatalf("deliveries %+v %v: want one, to the Jinan deputy", ds, err)
		}

		svc := core.New(db, core.Options{Now: w.clock.Now})
		dep := core.DeputyActor(in, core.ViaWeChat)
		list, _ := svc.Materials.ForDeputy(ctx, dep, "", 5)
		if len(list) != 1 || list[0].Title != "中华人民共和国预算法解读" {
			t.Fatalf("学习 lists %+v", list)
		}
		if _, _, err := svc.Materials.StudyNth(ctx, dep, "", 1, 5); err != nil {
			t.Fatal(err)
		}
		var st model.MaterialStats
		decode(w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/materials/"+id+"/stats", ""), &st)
		if st.Studied != 1 {
			t.Fatalf("stats %+v", st)
		}
		rec := w.apiJSON(t, model.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/deputies/%d/record", in.ID), "")
		if rec.status != http.StatusOK || !strings.Contains(rec.body, `"study"`) || !strings.Contains(rec.body, "学习材料") {
			t.Fatalf("record: %d %s", rec.status, rec.body)
		}
		tot, err := svc.Records.Totals(ctx, core.CLIActor(model.Account{}, "t"), in.ID, w.clock.Now().Year())
		if err != nil || tot.Points < 1 {
			t.Fatalf("record points %+v %v", tot, err)
		}

		t.Run("the search finds it by a two-character word, title first", func(t *testing.T) {
			r := w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/materials?q=%E9%A2%84%E7%AE%97", "")
			if !strings.Contains(r.body, `"total":1`) || !strings.Contains(r.body, `"studied":1`) {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
		t.Run("archiving twice is 409", func(t *testing.T) {
			if r := w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/materials/"+id+"/archive", ""); r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if r := w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/materials/"+id+"/archive", ""); r.status != http.StatusConflict {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	})
}
