package handlers_test

import (
	"bytes"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestTheConsoleRegistersAStationShowsItsQRCodeAndRoutesItsOpinions(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "https://deputy.example.cn")
	ds := campaignDeputies(t, w)
	c := w.login(t, model.RoleStaff)
	form := url.Values{"name": {"历下区代表联络站"}, "address": {"济南市历下区泺源大街 1 号"}, "deputies": {ds[0].Name + "\n无此人"}}
	res := w.postForm(t, c, "/admin/stations", form)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "代表名册中没有：无此人") {
		t.Fatalf("unknown deputy: %d %s", res.status, res.body)
	}
	form.Set("deputies", ds[0].Name)
	res = w.postForm(t, c, "/admin/stations", form)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/stations/1" {
		t.Fatalf("create: %d %s", res.status, res.header.Get("Location"))
	}
	page := w.get(t, c, "/admin/stations/1")
	for _, want := range []string{"https://deputy.example.cn/h5/stations/1", `src="/admin/stations/1/qr.png"`, ds[0].Name, "安排接待日"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the station's page lacks %q", want)
		}
	}
	qr := w.get(t, c, "/admin/stations/1/qr.png")
	if img, err := png.Decode(bytes.NewReader([]byte(qr.body))); err != nil || img.Bounds().Dx() < 200 {
		t.Fatalf("the QR code is no PNG: %v", err)
	}
	if err := db.CreatePublicOpinion(t.Context(), &model.PublicOpinion{StationID: 1, OpenID: "o-citizen", Category: "traffic",
		Body: "建议增设过街天桥。", Name: "刘先生", Phone: "13912345678"}); err != nil {
		t.Fatal(err)
	}
	res = w.postForm(t, c, "/admin/public-opinions/1/route", url.Values{"action": {"close"}, "reason": {""}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "请填写办结说明") {
		t.Fatalf("close without a reason: %d", res.status)
	}
	res = w.postForm(t, c, "/admin/public-opinions/1/route", url.Values{"action": {"deputies"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("route: %d %s", res.status, res.body)
	}
	if page := w.get(t, c, "/admin/public-opinions/1"); !strings.Contains(page.body, "已转交代表") || !strings.Contains(page.body, ds[0].Name) {
		t.Fatalf("after routing: %s", page.body)
	}
	ro := w.login(t, model.RoleReadonly)
	if page := w.get(t, ro, "/admin/public-opinions/1"); strings.Contains(page.body, "13912345678") || strings.Contains(page.body, "转交办理单位") {
		t.Fatal("a read-only account sees the phone or the routing forms")
	}
	if page := w.get(t, c, "/admin/public-opinions/counts?year=2026"); !strings.Contains(page.body, "2026-03") {
		t.Fatalf("counts: %s", page.body)
	}
	if x := w.get(t, c, "/admin/public-opinions/counts.xlsx?year=2026"); x.status != http.StatusOK || !strings.HasPrefix(x.body, "PK") {
		t.Fatalf("export: %d", x.status)
	}
}
