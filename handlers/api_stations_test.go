package handlers_test

import (
	"bytes"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestTheAPIRefusesBadSignUpsAndStationsWithTheFieldAtFault(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "https://deputy.example.cn")
	ds := campaignDeputies(t, w)
	res := w.apiJSON(t, model.RoleStaff, "POST", "/api/v1/meetings", `{"kind":"research","title":"专题调研","starts_at":"2026-03-10T09:00:00+08:00"}`)
	if res.status != http.StatusCreated {
		t.Fatalf("meeting: %d %s", res.status, res.body)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"capacity": 0, "deadline": "2026-03-08T18:00:00+08:00"}`, `"field":"capacity"`},
		{`{"deadline": "2026-03-08T18:00:00+08:00"}`, `"field":"capacity"`},
		{`{"capacity": 30, "deadline": "2026-12-20T18:00:00+08:00"}`, `"field":"deadline"`},
		{`{"capacity": 30, "deadline": "2026-03-01T18:00:00+08:00"}`, `"field":"deadline"`},
	} {
		if res := w.apiJSON(t, model.RoleStaff, "POST", "/api/v1/meetings/1/signup", tc.body); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, tc.field) {
			t.Errorf("%s: %d %s", tc.body, res.status, res.body)
		}
	}
	if res := w.apiJSON(t, model.RoleStaff, "POST", "/api/v1/meetings/1/signup", `{"capacity": "30"}`); res.status != http.StatusBadRequest {
		t.Errorf("capacity as text: %d", res.status)
	}
	if res := w.apiJSON(t, model.RoleReadonly, "POST", "/api/v1/meetings/1/signup", `{"capacity": 30, "deadline": "2026-03-08T18:00:00+08:00"}`); res.status != http.StatusForbidden {
		t.Errorf("a read-only account: %d", res.status)
	}
	if res := w.apiJSON(t, model.RoleStaff, "GET", "/api/v1/meetings/1/signups", ""); res.status != http.StatusNotFound || !strings.Contains(res.body, "未开放报名") {
		t.Errorf("sign-ups of a meeting not open: %d %s", res.status, res.body)
	}
	if res := w.apiJSON(t, model.RoleStaff, "POST", "/api/v1/stations", `{"name":"历下区代表联络站","deputies":["无此人"]}`); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, `"field":"deputies"`) {
		t.Errorf("an unknown deputy: %d %s", res.status, res.body)
	}
	res = w.apiJSON(t, model.RoleStaff, "POST", "/api/v1/stations", `{"name":"历下区代表联络站","deputies":["`+ds[0].Name+`"]}`)
	if res.status != http.StatusCreated || !strings.Contains(res.body, `"page_url":"https://deputy.example.cn/h5/stations/1"`) {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	qr := w.api(t, model.RoleReadonly, "GET", "/api/v1/stations/1/qr.png", "", nil)
	if _, err := png.Decode(bytes.NewReader([]byte(qr.body))); qr.status != http.StatusOK || err != nil {
		t.Fatalf("QR code: %d %v", qr.status, err)
	}
	if err := db.CreatePublicOpinion(t.Context(), &model.PublicOpinion{StationID: 1, OpenID: "o-c", Category: "other", Body: "意见",
		Phone: "13912345678"}); err != nil {
		t.Fatal(err)
	}
	if res := w.apiJSON(t, model.RoleReadonly, "GET", "/api/v1/public-opinions/1", ""); res.status != http.StatusOK || strings.Contains(res.body, "13912345678") {
		t.Errorf("a read-only account sees the phone: %s", res.body)
	}
	if res := w.apiJSON(t, model.RoleStaff, "POST", "/api/v1/public-opinions/1/route", `{"action":"forward"}`); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, `"field":"action"`) {
		t.Errorf("an unknown action: %d %s", res.status, res.body)
	}
}
