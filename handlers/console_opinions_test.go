package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

const xss = `<script>alert("x")</script><img src=x onerror=alert(1)>`

// opinion files an opinion by deputy through the chat's service.
func (w *adminWorld) opinion(t *testing.T, deputy int64, category, body string) model.Opinion {
	t.Helper()
	svc := core.NewOpinions(w.db)
	svc.SetClock(w.clock.Now)
	receipt, err := svc.Submit(context.Background(), deputy, model.Opinion{Category: category, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	o, err := svc.ByReceipt(context.Background(), receipt)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestAnOpinionIsShownEscaped(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	d := w.deputy(t, "王芳", "13800000001")
	o := w.opinion(t, d.ID, "social", "第一段"+xss+"\n第二段")
	c := w.login(t, model.RoleReadonly)
	for _, path := range []string{"/admin/opinions", "/admin/opinions/" + itoa(o.ID), "/admin/"} {
		res := w.get(t, c, path)
		mustHave(t, res, http.StatusOK, "&lt;script&gt;")
		mustLack(t, res, "<script>alert", "<img src=x")
	}
	mustHave(t, w.get(t, c, "/admin/opinions/"+itoa(o.ID)), http.StatusOK, "<p>第二段</p>")
}

func TestTheOpinionsInbox(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		const jsonCT = "application/json"
		wang, li := w.deputy(t, "王芳", "13800000001"), w.deputy(t, "李强", "13800000002")
		first := w.opinion(t, wang.ID, "social", "建议增加农村公交班次。")
		second := w.opinion(t, li.ID, "legislative", "建议制定数据条例。")
		c := w.login(t, model.RoleStaff)

		t.Run("filters by category and deputy", func(t *testing.T) {
			res := w.get(t, c, "/admin/opinions?category=legislative")
			mustHave(t, res, http.StatusOK, second.Receipt)
			mustLack(t, res, first.Receipt)
			res = w.get(t, c, "/admin/opinions?deputy="+url.QueryEscape("王"))
			mustHave(t, res, http.StatusOK, first.Receipt)
			mustLack(t, res, second.Receipt)
		})
		t.Run("an empty reply is shown again with the message", func(t *testing.T) {
			res := w.postForm(t, c, "/admin/opinions/"+itoa(first.ID)+"/reply", url.Values{"reply": {"  "}})
			mustHave(t, res, http.StatusUnprocessableEntity, `<div class="err">不能为空</div>`)
		})
		t.Run("a reply from the console reaches the author", func(t *testing.T) {
			res := w.postForm(t, c, "/admin/opinions/"+itoa(first.ID)+"/reply", url.Values{"reply": {"已转交省交通运输厅研究。"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("%d %s", res.status, res.body)
			}
			ds, err := db.ListDeliveries(t.Context(), model.DeliveryFilter{DeputyID: wang.ID})
			if err != nil || len(ds) != 1 {
				t.Fatalf("deliveries to the author: %d, %v", len(ds), err)
			}
			if ds, _ := db.ListDeliveries(t.Context(), model.DeliveryFilter{DeputyID: li.ID}); len(ds) != 0 {
				t.Fatalf("someone else got the reply")
			}
			mustHave(t, w.get(t, c, "/admin/opinions/"+itoa(first.ID)), http.StatusOK, "<p>已转交省交通运输厅研究。</p>", "已答复")
		})
		t.Run("a reply through the API reaches the author", func(t *testing.T) {
			res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/opinions/"+itoa(second.ID)+"/reply", jsonCT,
				strings.NewReader(`{"reply":"已纳入立法计划调研。"}`))
			got := decode[struct {
				Status     string `json:"status"`
				StaffReply string `json:"staff_reply"`
			}](t, res)
			if res.status != http.StatusOK || got.Status != "answered" || got.StaffReply != "已纳入立法计划调研。" {
				t.Fatalf("%d %s", res.status, res.body)
			}
			ds, err := db.ListDeliveries(t.Context(), model.DeliveryFilter{DeputyID: li.ID})
			if err != nil || len(ds) != 1 {
				t.Fatalf("deliveries to the author: %d, %v", len(ds), err)
			}
			res = w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/opinions/"+itoa(second.ID)+"/reply", jsonCT, strings.NewReader(`{"reply":""}`))
			if e := decode[apiError](t, res); res.status != http.StatusUnprocessableEntity || e.Fields[0].Field != "reply" {
				t.Fatalf("empty reply: %d %s", res.status, res.body)
			}
		})
		t.Run("the API lists and shows opinions; units may not", func(t *testing.T) {
			res := w.api(t, model.RoleReadonly, http.MethodGet, "/api/v1/opinions?status=answered", "", nil)
			page := decode[struct {
				Total int `json:"total"`
			}](t, res)
			if res.status != http.StatusOK || page.Total != 2 {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if res := w.api(t, model.RoleUnit, http.MethodGet, "/api/v1/opinions/"+itoa(first.ID), "", nil); res.status != http.StatusForbidden {
				t.Fatalf("unit: %d", res.status)
			}
		})
		t.Run("marking handled, and exporting", func(t *testing.T) {
			if res := w.postForm(t, c, "/admin/opinions/"+itoa(first.ID)+"/close", nil); res.status != http.StatusSeeOther {
				t.Fatalf("close: %d %s", res.status, res.body)
			}
			o, _ := core.NewOpinions(db).Get(t.Context(), first.ID)
			if o.Status != model.OpinionClosed {
				t.Fatalf("status %s", o.Status)
			}
			res := w.get(t, c, "/admin/opinions/export")
			if res.status != http.StatusOK || !strings.HasPrefix(res.body, "PK") {
				t.Fatalf("export: %d", res.status)
			}
		})
		if got := w.auditActions(t); got["opinion.reply"] != 2 || got["opinion.close"] != 1 || got["opinion.export"] != 1 {
			t.Fatalf("audit %v", got)
		}
	})
}
